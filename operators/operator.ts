/**
 * @module The operator assembled: leader election first; once leading, one controller per
 * control kind (informers, work queue, reconciler); metrics and health always. Used by
 * `npm run operator` (operators/main.ts) and by tests that run it in-process.
 */
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { type AdminClient, createAdminClient } from "./admin-client";
import type { OperatorConfig } from "./config";
import { controlGroup, controlVersion } from "./crds/common";
import { controlKinds } from "./crds/index";
import { cancelAllReconciler } from "./reconcilers/cancel-all";
import type { ReconcilerContext } from "./reconcilers/context";
import { edgeDegradationReconciler } from "./reconcilers/edge-degradation";
import { escrowResolutionReconciler } from "./reconcilers/escrow-resolution";
import { lockFlushReconciler } from "./reconcilers/lock-flush";
import { orderThrottleReconciler } from "./reconcilers/order-throttle";
import { payoutThrottleReconciler } from "./reconcilers/payout-throttle";
import { providerDisableReconciler } from "./reconcilers/provider-disable";
import { readOnlyModeReconciler } from "./reconcilers/read-only-mode";
import { redisFailoverReconciler } from "./reconcilers/redis-failover";
import { sessionRevocationReconciler } from "./reconcilers/session-revocation";
import { settlementReplayReconciler } from "./reconcilers/settlement-replay";
import { symbolModeReconciler } from "./reconcilers/symbol-mode";
import { webhookReplayReconciler } from "./reconcilers/webhook-replay";
import { withdrawalHaltReconciler } from "./reconcilers/withdrawal-halt";
import { createControlClient } from "./runtime/control-client";
import { Controller, type Reconciler } from "./runtime/controller";
import { createEventRecorder } from "./runtime/events";
import { startHttpServer } from "./runtime/http-server";
import { Informer } from "./runtime/informer";
import { createKubeApi, type KubeApi, loadKubeConfig } from "./runtime/kube-api";
import { LeaderElector } from "./runtime/leader-election";
import { createMetrics } from "./runtime/metrics";
import { programLogger } from "./runtime/program";
import type { ControlObject, ResourceType } from "./runtime/resource";
import { WorkQueue } from "./runtime/work-queue";
import { createTokenSource } from "./secret-tokens";
import { type EnforcedKind, loadTargets, type Targets, targetsFor } from "./targets";
import type { Declared } from "./unmanaged-controls";
import { UnmanagedReporter } from "./unmanaged-reporter";

export interface RunningOperator {
  /** The port of /metrics and /health. */
  readonly port: number;
  readonly isLeader: () => boolean;
  /** Graceful: finish in-flight reconciles, release the Lease, close the server. */
  stop(): Promise<void>;
  /** Resolves when the operator stopped on its own (leadership lost): exit non-zero. */
  readonly lost: Promise<void>;
}

export interface OperatorOptions {
  readonly log?: Logger;
  /** Kubernetes API client; default from $KUBECONFIG. */
  readonly api?: KubeApi;
}

export async function startOperator(
  config: OperatorConfig,
  options: OperatorOptions = {},
): Promise<RunningOperator> {
  const log = options.log ?? programLogger("breakwater-operator", config.identity, config.logLevel);
  const targets = loadTargets(config.targetsFile);
  const api = options.api ?? createKubeApi(loadKubeConfig());
  const metrics = createMetrics();
  const tokens = createTokenSource(api);
  const redisClients = new Map<string, Redis>();
  let controllers: Controller[] = [];
  let reporter: UnmanagedReporter | undefined;
  let stopping = false;
  let signalLost: () => void = () => {};
  const lost = new Promise<void>((resolve) => {
    signalLost = resolve;
  });

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
      metrics.leader.set(1);
      const input = { api, config, targets, log, metrics, tokens, redisClients };
      controllers = buildControllers(input);
      metrics.observeControls(() =>
        controllers.map((controller) => ({
          kind: controller.kind,
          objects: () => controller.objects(),
        })),
      );
      await Promise.all(controllers.map((controller) => controller.start()));
      log.info({ kinds: controllers.map((controller) => controller.kind) }, "controllers started");
      if (stopping) return;
      reporter = unmanagedReporter(input, controllers);
      reporter.start();
    },
    onStoppedLeading() {
      metrics.leader.set(0);
      // Another replica may act now: stop at once (as controller-runtime does) and exit.
      if (!stopping) signalLost();
    },
  });

  const server = await startHttpServer({
    host: config.metricsHost,
    port: config.metricsPort,
    registry: metrics.registry,
    notReadyReason() {
      if (stopping) return "shutting down";
      if (Date.now() - elector.lastApiContactMs > config.lease.durationMs)
        return "cannot reach the API server";
      if (elector.isLeader && !controllers.every((controller) => controller.synced))
        return "caches not synced";
      return undefined;
    },
  });
  log.info({ port: server.port }, "listening");
  elector.start();

  return {
    port: server.port,
    isLeader: () => elector.isLeader,
    lost,
    async stop() {
      stopping = true;
      await reporter?.stop();
      await Promise.all(controllers.map((controller) => controller.stop()));
      await elector.stop();
      metrics.leader.set(0);
      for (const client of redisClients.values()) client.disconnect();
      await server.close();
    },
  };
}

interface BuildInput {
  api: KubeApi;
  config: OperatorConfig;
  targets: Targets;
  log: Logger;
  metrics: ReturnType<typeof createMetrics>;
  tokens: ReturnType<typeof createTokenSource>;
  redisClients: Map<string, Redis>;
}

function buildControllers(input: BuildInput): Controller[] {
  const { api, config, log, metrics } = input;
  const events = createEventRecorder(api, config.identity, log, {
    onDropped: () => metrics.eventsDropped.inc(),
  });
  return controlKinds.map((definition) => {
    const type: ResourceType = {
      group: controlGroup,
      version: controlVersion,
      plural: definition.plural,
      kind: definition.kind,
    };
    const queue = new WorkQueue({
      onDepth: (depth) => metrics.queueDepth.set({ kind: definition.kind }, depth),
    });
    const namespaces = config.namespaces.length > 0 ? config.namespaces : [undefined];
    // Set once the reconciler exists: a change also requeues the controls competing with it.
    let observe: (key: string) => readonly string[] = () => [];
    let controller: Controller | undefined;
    const informers: Informer<ControlObject>[] = namespaces.map(
      (namespace) =>
        new Informer<ControlObject>(api, {
          type,
          namespace,
          onChange(key, origin) {
            controller?.noticed(key);
            // The initial list brings every control at once; a watch event is news.
            const priority = origin === "list" ? "low" : "high";
            queue.add(key, priority);
            for (const related of observe(key)) queue.add(related, priority);
          },
          log: log.child({ kind: definition.kind, namespace: namespace ?? "*" }),
        }),
    );
    const remember = (object: ControlObject) => {
      for (const informer of informers) {
        const watched = informer.namespace;
        if (watched === undefined || watched === object.metadata.namespace)
          informer.remember(object);
      }
    };
    const context: ReconcilerContext = {
      client: createControlClient(api, type, remember),
      events,
      log: log.child({ kind: definition.kind }),
      now: () => new Date(),
    };
    const reconciler = reconcilerFor(definition.kind, context, input);
    observe = (key) => {
      const object = informers.map((informer) => informer.get(key)).find(Boolean);
      // While the first list is read every key is queued anyway.
      const synced = informers.every((informer) => informer.hasSynced);
      return reconciler.observe?.(key, object, synced) ?? [];
    };
    controller = new Controller({
      reconciler,
      informers,
      queue,
      metrics,
      log: context.log,
      workers: config.workers,
      resyncMs: config.resyncMs,
    });
    return controller;
  });
}

/** Compares every target service's controls with the leader's caches, periodically. */
function unmanagedReporter(input: BuildInput, controllers: readonly Controller[]) {
  const services = new Map(
    Object.entries(input.targets.services).map(([service, target]) => [
      service,
      {
        enforces: target.enforces,
        client: createAdminClient({
          service,
          baseUrl: target.adminUrl,
          token: (refresh) => input.tokens(target.tokenSecret, refresh),
        }),
      },
    ]),
  );
  const declared = (): Declared => (kind, namespace, name) =>
    controllers.some(
      (controller) => controller.kind === kind && controller.has(`${namespace}/${name}`),
    );
  return new UnmanagedReporter({
    services,
    declared,
    metrics: input.metrics,
    log: input.log.child({ component: "unmanaged-controls" }),
    intervalMs: input.config.unmanagedScanMs,
  });
}

function reconcilerFor(kind: string, context: ReconcilerContext, input: BuildInput): Reconciler {
  if (kind === "LockFlush") {
    return lockFlushReconciler({
      ...context,
      allowedPrefixes: input.targets.lockFlush.allowedPrefixes,
      redis: (name) => redisFor(name, input),
    });
  }
  const services = adminClients(kind as EnforcedKind, input);
  const deps = { ...context, services: () => services };
  if (kind === "WithdrawalHalt") return withdrawalHaltReconciler(deps);
  if (kind === "SymbolMode") return symbolModeReconciler(deps);
  if (kind === "ProviderDisable") return providerDisableReconciler(deps);
  if (kind === "PayoutThrottle") return payoutThrottleReconciler(deps);
  if (kind === "ReadOnlyMode") return readOnlyModeReconciler(deps);
  if (kind === "RedisFailover") return redisFailoverReconciler(deps);
  if (kind === "EdgeDegradation") return edgeDegradationReconciler(deps);
  if (kind === "EscrowResolution") return escrowResolutionReconciler(deps);
  if (kind === "OrderThrottle") return orderThrottleReconciler(deps);
  if (kind === "CancelAll") return cancelAllReconciler(deps);
  if (kind === "SessionRevocation") return sessionRevocationReconciler(deps);
  if (kind === "SettlementReplay") return settlementReplayReconciler(deps);
  if (kind === "WebhookReplay") return webhookReplayReconciler(deps);
  throw new Error(`no reconciler for ${kind}`);
}

function adminClients(kind: EnforcedKind, input: BuildInput): ReadonlyMap<string, AdminClient> {
  return new Map(
    targetsFor(input.targets, kind).map(([service, target]) => [
      service,
      createAdminClient({
        service,
        baseUrl: target.adminUrl,
        token: (refresh) => input.tokens(target.tokenSecret, refresh),
      }),
    ]),
  );
}

function redisFor(name: string, input: BuildInput): Redis | undefined {
  const url =
    input.targets.redis[name]?.url ?? (name === "default" ? input.config.redisUrl : undefined);
  if (!url) return undefined;
  let client = input.redisClients.get(name);
  if (!client) {
    client = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: false });
    client.on("error", (error) => input.log.warn({ err: error, redis: name }, "redis error"));
    input.redisClients.set(name, client);
  }
  return client;
}
