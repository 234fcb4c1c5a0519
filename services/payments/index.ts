/**
 * @module The payments service: accounts and a double-entry ledger, transfers, payouts through
 * a PSP with manual review, signed deposit webhooks, reconciliation, and WithdrawalHalt
 * enforcement. `npm run service -- payments` starts it from environment variables alone.
 */
import { join } from "node:path";
import { registerBearerScheme } from "../kit/caller-auth";
import { createPspGateway } from "../kit/psp-gateway";
import { readOnlyKind } from "../kit/read-only-mode";
import { redisFailoverKind } from "../kit/redis-router";
import { defineService } from "../kit/service";
import { createServiceTokenVerifier, sessionRevocationKind } from "../kit/session-revocation";
import { mountAccountsApi } from "./accounts-api";
import { paymentsConfigSchema } from "./config";
import type { PaymentsContext, PaymentsServiceContext } from "./payments-context";
import { createPaymentsMetrics } from "./payments-metrics";
import { createPayoutThrottleGate, payoutThrottleKind } from "./payout-throttle";
import { createPayoutWorker } from "./payout-worker";
import { mountPayoutsApi } from "./payouts-api";
import { createReconciliationWorker } from "./reconciliation";
import { paymentsSupersededMigrations } from "./superseded-migrations";
import { mountTransfersApi } from "./transfers-api";
import { mountWebhookEventsApi } from "./webhook-events-api";
import { mountWebhooksApi } from "./webhooks-api";
import { withdrawalHaltKind } from "./withdrawal-halt";

/** One payments context per service instance (replicas in one process keep theirs apart). */
const contexts = new WeakMap<PaymentsServiceContext, PaymentsContext>();

function paymentsContext(service: PaymentsServiceContext): PaymentsContext {
  let context = contexts.get(service);
  if (context === undefined) {
    context = {
      service,
      metrics: createPaymentsMetrics(service.metrics),
      verifier: createServiceTokenVerifier(service),
      payoutThrottle: createPayoutThrottleGate(service.controls, service.redis),
    };
    for (const worker of ["payout", "reconciliation"]) {
      for (const result of ["success", "failed"])
        service.metrics.workerRuns.inc({ worker, result }, 0);
    }
    contexts.set(service, context);
  }
  return context;
}

export const service = defineService({
  name: "payments",
  migrationsDir: join(import.meta.dirname, "migrations"),
  ledger: true,
  supersededMigrations: paymentsSupersededMigrations,
  config: paymentsConfigSchema,
  controlKinds: [
    withdrawalHaltKind,
    payoutThrottleKind,
    readOnlyKind,
    sessionRevocationKind,
    redisFailoverKind,
  ],
  routes(app, service) {
    const context = paymentsContext(service);
    registerBearerScheme(app);
    mountAccountsApi(app, context);
    mountTransfersApi(app, context);
    mountPayoutsApi(app, context);
    mountWebhooksApi(app, context);
    mountWebhookEventsApi(app, context);
  },
  workers(service) {
    const context = paymentsContext(service);
    const { config, pool, controls, logger, name } = service;
    return [
      {
        name: "payout",
        intervalMs: config.PAYOUT_INTERVAL_MS,
        run: createPayoutWorker({
          service: name,
          pool,
          controls,
          logger: logger.child({ worker: "payout" }),
          metrics: context.metrics,
          gateway: createPspGateway({ baseUrl: config.PSP_URL, timeoutMs: config.PSP_TIMEOUT_MS }),
          batchSize: config.PAYOUT_BATCH_SIZE,
          // Longer than any send can take, so a live send is never claimed twice.
          leaseMs: config.PSP_TIMEOUT_MS * 2 + 30_000,
          retryBaseMs: config.PAYOUT_RETRY_BASE_MS,
          retryMaxMs: config.PAYOUT_RETRY_MAX_MS,
        }),
      },
      {
        name: "reconciliation",
        intervalMs: config.RECONCILIATION_INTERVAL_MS,
        run: createReconciliationWorker(
          pool,
          context.metrics,
          logger.child({ worker: "reconciliation" }),
        ),
      },
    ];
  },
});

export default service;
