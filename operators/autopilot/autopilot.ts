/**
 * @module The autopilot assembled: the rules for its environment, its own identity from the
 * API server (what it writes into `spec.requestedBy`), leader election on its Lease, the
 * decider on the leader, the webhook server on every replica. Used by `npm run autopilot`
 * (operators/autopilot/main.ts) and by tests that run it in-process.
 */
import type { Logger } from "pino";
import { activeRules, loadRules } from "../../policies/automation/load-rules";
import { createEventRecorder } from "../runtime/events";
import { createKubeApi, type KubeApi, loadKubeConfig } from "../runtime/kube-api";
import { LeaderElector } from "../runtime/leader-election";
import { programLogger } from "../runtime/program";
import type { AutopilotConfig } from "./config";
import { Decider } from "./decider";
import { leaderAddress, publishLeaderAddress } from "./leader-address";
import { createAutopilotMetrics } from "./metrics";
import { StateStore } from "./state-store";
import { startWebhookServer } from "./webhook-server";

export const autopilotComponent = "breakwater-autopilot";
/** How often the leader looks for controls that were lifted (the cooldown starts then). */
const sweepIntervalMs = 5_000;

export interface RunningAutopilot {
  readonly port: number;
  readonly url: string;
  readonly isLeader: () => boolean;
  /** Graceful: release the Lease, close the server. */
  stop(): Promise<void>;
  /** Resolves when this replica lost its Lease while leading: exit non-zero. */
  readonly lost: Promise<void>;
}

export interface AutopilotOptions {
  readonly log?: Logger;
  readonly api?: KubeApi;
}

/** The username the API server gives this process's credentials (a SelfSubjectReview). */
export async function whoAmI(api: KubeApi): Promise<string> {
  const review = await api.create<{ status: { userInfo: { username: string } } }>(
    "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
  );
  return review.status.userInfo.username;
}

export async function startAutopilot(
  config: AutopilotConfig,
  options: AutopilotOptions = {},
): Promise<RunningAutopilot> {
  const log = options.log ?? programLogger(autopilotComponent, config.identity, config.logLevel);
  const rules = activeRules(
    loadRules(config.rulesDirectory),
    config.environment,
    config.defaultMode,
  );
  const api = options.api ?? createKubeApi(loadKubeConfig());
  const requestedBy = await whoAmI(api);
  const metrics = createAutopilotMetrics();
  const decider = new Decider({
    api,
    rules,
    controlsNamespace: config.controlsNamespace,
    requestedBy,
    budget: config.budget,
    store: new StateStore(api, config.lease.namespace, config.stateConfigMap),
    metrics,
    events: createEventRecorder(api, config.identity, log, { component: autopilotComponent }),
    log,
  });
  let leading = false;
  let sweeping: NodeJS.Timeout | undefined;
  let signalLost: () => void = () => {};
  const lost = new Promise<void>((resolve) => {
    signalLost = resolve;
  });
  const server = await startWebhookServer({
    host: config.host,
    port: config.port,
    token: config.webhookToken,
    identity: config.identity,
    registry: metrics.registry,
    log,
    isLeader: () => leading,
    decide: (payload) => decider.handle(payload),
    leaderUrl: async () => (await leaderAddress(api, config.lease))?.url,
    notReadyReason: () => undefined,
  });
  const url = config.advertiseUrl ?? `http://127.0.0.1:${server.port}`;
  const elector = new LeaderElector({
    api,
    namespace: config.lease.namespace,
    name: config.lease.name,
    identity: config.identity,
    leaseDurationMs: config.lease.durationMs,
    renewDeadlineMs: config.lease.renewDeadlineMs,
    retryPeriodMs: config.lease.retryPeriodMs,
    log,
    async onStartedLeading() {
      decider.forget();
      await publishLeaderAddress(api, config.lease, config.identity, url);
      leading = true;
      metrics.leader.set(1);
      sweeping = setInterval(() => {
        decider.sweep().catch((error) => log.warn({ err: error }, "could not look for lifts"));
      }, sweepIntervalMs);
    },
    onStoppedLeading() {
      leading = false;
      metrics.leader.set(0);
      clearInterval(sweeping);
      signalLost();
    },
  });
  metrics.leader.set(0);
  // Until the leader has decided anything, the whole budget is left.
  metrics.budgetRemaining.set(config.budget.count);
  elector.start();
  log.info(
    { port: server.port, rules: rules.map((rule) => `${rule.name}:${rule.mode}`), requestedBy },
    "listening",
  );
  return {
    port: server.port,
    url,
    isLeader: () => leading,
    lost,
    async stop() {
      clearInterval(sweeping);
      await elector.stop();
      leading = false;
      await server.close();
    },
  };
}
