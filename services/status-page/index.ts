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
import { defineService } from "../kit/service";
import { capabilities } from "./capabilities";
import { inCluster, type StatusPageConfig, statusPageConfigSchema } from "./config";
import { syncIncidents } from "./incident-store";
import { type CapabilityItems, listPublishedControls } from "./published-controls";
import { mountStatusApi } from "./status-api";

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
    const kubeconfig = new KubeConfig();
    if (config.STATUS_KUBECONFIG === inCluster) kubeconfig.loadFromCluster();
    else kubeconfig.loadFromFile(config.STATUS_KUBECONFIG);
    const api = createKubeApi(kubeconfig);
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
