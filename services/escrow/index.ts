/**
 * @module The escrow service (seed 004): a buyer's payment held on the kit's ledger while
 * the seller hands over an account's sealed credentials, released to the seller or refunded
 * to the buyer through one audited transition (the buyer, a super admin, an
 * EscrowResolution control or a dispute's decision), Paystack-style webhooks and seller
 * payouts, and stuck detection. `npm run service -- escrow` starts it from environment
 * variables alone.
 */
import { join } from "node:path";
import { registerBearerScheme } from "../kit/caller-auth";
import { defineService } from "../kit/service";
import {
  createServiceTokenVerifier,
  sessionCheck,
  sessionRevocationKind,
} from "../kit/session-revocation";
import { mountAdminApi } from "./admin-api";
import { mountAuthApi } from "./auth-api";
import { escrowConfigSchema } from "./config";
import { createCredentialVault } from "./credential-vault";
import { countDatabaseErrors } from "./database-errors";
import { mountDisputesApi } from "./disputes-api";
import type { EscrowContext, EscrowServiceContext } from "./escrow-context";
import { createEscrowMetrics } from "./escrow-metrics";
import { createEscrowTokenVerifier } from "./escrow-token-verifier";
import { createLoginStore } from "./login-store";
import { createPayoutWorker } from "./payout-worker";
import { createPaystackGateway } from "./paystack";
import { mountResolutionControls } from "./resolution-controls";
import { exportStuck } from "./stuck-transactions";
import { mountTradesApi } from "./trades-api";
import { mountWebhooksApi } from "./webhooks-api";

/** One escrow context per service instance (replicas in one process keep theirs apart). */
const contexts = new WeakMap<EscrowServiceContext, EscrowContext>();

function createContext(service: EscrowServiceContext): EscrowContext {
  const { config } = service;
  const metrics = createEscrowMetrics(service.metrics);
  const loginStore = createLoginStore(service.redis);
  const context: EscrowContext = {
    service,
    metrics,
    vault: createCredentialVault(config.VAULT_PEPPER, config.VAULT_SCRYPT_N, (seconds) =>
      metrics.keyDerivationSeconds.observe(seconds),
    ),
    gateway: createPaystackGateway({
      baseUrl: config.PAYSTACK_URL,
      secretKey: config.PAYSTACK_SECRET_KEY,
      timeoutMs: config.PAYSTACK_TIMEOUT_MS,
    }),
    verifier: createEscrowTokenVerifier(
      createServiceTokenVerifier(service),
      loginStore,
      sessionCheck(service),
    ),
    loginStore,
  };
  for (const worker of ["escrow-payout", "stuck-transactions"]) {
    for (const result of ["success", "failed"])
      service.metrics.workerRuns.inc({ worker, result }, 0);
  }
  contexts.set(service, context);
  return context;
}

/** The escrow context of a started instance (the benchmark drives its flows directly). */
export function contextOf(service: EscrowServiceContext): EscrowContext {
  const context = contexts.get(service);
  if (context === undefined) throw new Error("escrow's routes were not mounted");
  return context;
}

export const service = defineService({
  name: "escrow",
  migrationsDir: join(import.meta.dirname, "migrations"),
  ledger: true,
  config: escrowConfigSchema,
  // EscrowResolution is a one-shot the operator runs through resolution-controls.ts, not a
  // standing control the replicas hold.
  controlKinds: [sessionRevocationKind],
  routes(app, service) {
    const context = createContext(service);
    registerBearerScheme(app);
    app.use("/api/*", countDatabaseErrors(context.metrics));
    mountAuthApi(app, context);
    mountTradesApi(app, context);
    mountWebhooksApi(app, context);
    mountAdminApi(app, context);
    mountResolutionControls(app, context);
    mountDisputesApi(app, context);
  },
  workers(service) {
    const context = contextOf(service);
    const { config, pool, logger } = service;
    return [
      {
        name: "escrow-payout",
        intervalMs: config.PAYOUT_INTERVAL_MS,
        run: createPayoutWorker({
          pool,
          gateway: context.gateway,
          metrics: context.metrics,
          logger: logger.child({ worker: "escrow-payout" }),
          batchSize: 20,
          leaseMs: config.PAYSTACK_TIMEOUT_MS * 3,
          retryBaseMs: config.PAYOUT_RETRY_BASE_MS,
          retryMaxMs: config.PAYOUT_RETRY_MAX_MS,
        }),
      },
      {
        name: "stuck-transactions",
        intervalMs: config.STUCK_SCAN_INTERVAL_MS,
        run: () => exportStuck(pool, context.metrics, config.STUCK_ESCROW_DAYS),
      },
    ];
  },
});

export default service;
