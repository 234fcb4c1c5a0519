/**
 * @module The purchasing service (seed 001): wallets on the kit's ledger, purchases routed to
 * external providers behind per-provider circuit breakers with failover, reservations
 * reconciled when stuck, and ProviderDisable enforcement. `npm run service -- purchasing`
 * starts it from environment variables alone.
 */
import { join } from "node:path";
import { registerBearerScheme } from "../kit/caller-auth";
import { redisFailoverKind } from "../kit/redis-router";
import { defineService } from "../kit/service";
import { createServiceTokenVerifier, sessionRevocationKind } from "../kit/session-revocation";
import { purchasingConfigSchema } from "./config";
import { mountCronApi } from "./cron-api";
import { createProviderBreakers } from "./provider-breakers";
import { providerDisableKind } from "./provider-disable";
import { loadProviderDirectory } from "./providers";
import { mountProvidersApi } from "./providers-api";
import { mountPurchasesApi } from "./purchases-api";
import type { PurchasingContext, PurchasingServiceContext } from "./purchasing-context";
import { createPurchasingMetrics } from "./purchasing-metrics";
import { reconcileStuck } from "./reconciliation";
import { mountWalletsApi } from "./wallets-api";

/** One purchasing context per service instance (replicas in one process keep theirs apart). */
const contexts = new WeakMap<PurchasingServiceContext, PurchasingContext>();

async function createContext(service: PurchasingServiceContext): Promise<PurchasingContext> {
  const { config, logger } = service;
  const metrics = createPurchasingMetrics(service.metrics);
  const breakers = createProviderBreakers(
    {
      openMs: config.BREAKER_OPEN_MS,
      consecutiveFailures: config.BREAKER_CONSECUTIVE_FAILURES,
      failureRatio: config.BREAKER_FAILURE_RATIO,
      windowCalls: config.BREAKER_WINDOW_CALLS,
    },
    metrics,
    logger.child({ component: "DynamicProvider" }),
  );
  const context: PurchasingContext = {
    service,
    breakers,
    verifier: createServiceTokenVerifier(service),
    flow: {
      pool: service.pool,
      locks: service.locks,
      controls: service.controls,
      logger,
      metrics,
      breakers,
      directory: await loadProviderDirectory(service.pool, logger),
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
      lockTtlMs: config.PURCHASE_LOCK_TTL_MS,
      deadlineMs: config.RESERVATION_DEADLINE_MS,
    },
  };
  for (const worker of ["providers-reload", "reconciliation"]) {
    for (const result of ["success", "failed"])
      service.metrics.workerRuns.inc({ worker, result }, 0);
  }
  contexts.set(service, context);
  return context;
}

/** The purchasing context of a started instance (the benchmark drives its flow directly). */
export function contextOf(service: PurchasingServiceContext): PurchasingContext {
  const context = contexts.get(service);
  if (context === undefined) throw new Error("purchasing's routes were not mounted");
  return context;
}

export const service = defineService({
  name: "purchasing",
  migrationsDir: join(import.meta.dirname, "migrations"),
  ledger: true,
  config: purchasingConfigSchema,
  controlKinds: [providerDisableKind, sessionRevocationKind, redisFailoverKind],
  async routes(app, service) {
    const context = await createContext(service);
    registerBearerScheme(app);
    mountPurchasesApi(app, context);
    mountWalletsApi(app, context);
    mountProvidersApi(app, context);
    mountCronApi(app, context);
  },
  workers(service) {
    const { flow } = contextOf(service);
    const { config } = service;
    return [
      {
        name: "providers-reload",
        intervalMs: config.PROVIDERS_RELOAD_MS,
        run: () => flow.directory.reload(),
      },
      {
        name: "reconciliation",
        intervalMs: config.RECONCILE_INTERVAL_MS,
        run: async () => {
          await reconcileStuck(
            { ...flow, logger: flow.logger.child({ worker: "reconciliation" }) },
            config.RECONCILE_BATCH_SIZE,
          );
        },
      },
    ];
  },
});

export default service;
