/**
 * @module The status page service: what customers can do (payouts per currency, purchases
 * per provider, ...; capabilities.ts) as operational or affected, driven by the controls in
 * force in the cluster and their public messages, with the incident history, as HTML and as
 * a Statuspage v2 JSON feed. Every replica reads the controls every `STATUS_REFRESH_MS` and
 * records incidents in PostgreSQL. `npm run service -- status-page` starts it.
 */
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { createKubeApi } from "../../operators/runtime/kube-api";
import { ConfigError } from "../kit/config";
import { defineService } from "../kit/service";
import { capabilities } from "./capabilities";
import { inCluster, type StatusPageConfig, statusPageConfigSchema } from "./config";
import { syncIncidents } from "./incident-store";
import { type CapabilityItems, listPublishedControls } from "./published-controls";
import { mountStatusApi } from "./status-api";

/**
 * The cluster the controls are read from: a kubeconfig file, or the pod's ServiceAccount, which
 * only exists inside a pod (outside one the client would call `https://undefined`).
 */
function controlsKubeConfig(setting: string): KubeConfig {
  const kubeconfig = new KubeConfig();
  if (setting !== inCluster) {
    kubeconfig.loadFromFile(setting);
    return kubeconfig;
  }
  if (!process.env.KUBERNETES_SERVICE_HOST) {
    throw new ConfigError(
      "STATUS_KUBECONFIG",
      `STATUS_KUBECONFIG: ${inCluster} works only in a pod (KUBERNETES_SERVICE_HOST is not set); give a kubeconfig path`,
    );
  }
  kubeconfig.loadFromCluster();
  return kubeconfig;
}

function itemsOf(config: StatusPageConfig): CapabilityItems {
  return Object.fromEntries(
    capabilities.map((capability) => [capability.id, config[capability.itemsVariable] ?? []]),
  );
}

export const service = defineService({
  name: "status-page",
  migrationsDir: join(import.meta.dirname, "migrations"),
  config: statusPageConfigSchema,
  routes(app, service) {
    const config = service.config as unknown as StatusPageConfig;
    mountStatusApi(app, {
      pool: service.pool,
      info: { title: config.STATUS_PAGE_TITLE, url: config.STATUS_PAGE_URL },
      items: itemsOf(config),
      since: new Date(),
      refreshSeconds: Math.max(1, Math.round(config.STATUS_REFRESH_MS / 1000)),
    });
  },
  workers(service) {
    const config = service.config as unknown as StatusPageConfig;
    const api = createKubeApi(controlsKubeConfig(config.STATUS_KUBECONFIG));
    const items = itemsOf(config);
    return [
      {
        name: "controls-in-force",
        intervalMs: config.STATUS_REFRESH_MS,
        run: async () => syncIncidents(service.pool, await listPublishedControls(api, items)),
      },
    ];
  },
});
