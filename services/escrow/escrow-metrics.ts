/**
 * @module The metrics escrow adds to the kit's registry: what seed 004's alerts and
 * monitoring queries read (failed payouts, admin releases and refunds, stuck transactions by
 * amount band, reveals, webhooks, failed logins and OTP verifications).
 */
import { Counter, Gauge, Histogram } from "prom-client";
import type { ServiceMetrics } from "../kit/metrics";

export interface EscrowMetrics {
  /** `escrow_payouts_total{result}`: seller transfers by the provider's answer. */
  readonly payoutResults: Counter<"result">;
  /** `escrow_admin_actions_total{action,via}`: releases and refunds by admin or control. */
  readonly adminActions: Counter<"action" | "via">;
  /** `escrow_stuck_transactions{band}`: held longer than stuckEscrowDays, by amount band. */
  readonly stuckTransactions: Gauge<"band">;
  /** `escrow_stuck_transactions_amount{band}`: their summed amount in minor units. */
  readonly stuckAmount: Gauge<"band">;
  /** `escrow_credential_reveals_total{outcome}`: revealed, refused, failed (could not open). */
  readonly reveals: Counter<"outcome">;
  /** `escrow_vault_key_derivation_seconds`: the KDF's deliberate cost per seal or reveal. */
  readonly keyDerivationSeconds: Histogram;
  /** `escrow_webhooks_total{event,outcome}`: provider deliveries. */
  readonly webhooks: Counter<"event" | "outcome">;
  /** `escrow_disputes{status}`: undecided disputes, open or escalated (the backlog). */
  readonly disputes: Gauge<"status">;
  /** `escrow_database_errors_total{kind}`: requests failed by PostgreSQL (query or unavailable). */
  readonly databaseErrors: Counter<"kind">;
  /** `escrow_login_attempts_total`: password logins tried (the base of failure ratios). */
  readonly loginAttempts: Counter;
  /** `escrow_login_failures_total{reason}`: never labelled by user, only by why it failed. */
  readonly loginFailures: Counter<"reason">;
  /** `escrow_login_lockouts_total`: accounts locked after repeated failures. */
  readonly loginLockouts: Counter;
  /** `escrow_otp_verifications_total{outcome}`: OTP codes checked, by outcome. */
  readonly otpVerifications: Counter<"outcome">;
}

/** Why a login failed (`escrow_login_failures_total{reason}`). */
export const loginFailureReasons = [
  "unknown_user",
  "bad_password",
  "locked",
  "rate_limited",
] as const;

/** How an OTP verification ended (`escrow_otp_verifications_total{outcome}`). */
export const otpOutcomes = ["success", "invalid", "replayed", "expired", "locked"] as const;

function createLoginMetrics(registers: ServiceMetrics["registry"][]) {
  const loginFailures = new Counter({
    name: "escrow_login_failures_total",
    help: "Failed logins by reason: unknown_user, bad_password, locked, rate_limited.",
    labelNames: ["reason"] as const,
    registers,
  });
  for (const reason of loginFailureReasons) loginFailures.inc({ reason }, 0);
  const otpVerifications = new Counter({
    name: "escrow_otp_verifications_total",
    help: "OTP verifications by outcome: success, invalid, replayed, expired (no live challenge), locked.",
    labelNames: ["outcome"] as const,
    registers,
  });
  for (const outcome of otpOutcomes) otpVerifications.inc({ outcome }, 0);
  return {
    loginAttempts: new Counter({
      name: "escrow_login_attempts_total",
      help: "Password logins tried, whatever their outcome.",
      registers,
    }),
    loginFailures,
    loginLockouts: new Counter({
      name: "escrow_login_lockouts_total",
      help: "Accounts locked after repeated failed passwords or OTP codes.",
      registers,
    }),
    otpVerifications,
  };
}

/** Amount bands of the stuck gauge, in major units of the escrow currency. */
export const amountBands = [
  { band: "under_100", belowMinor: 10_000n },
  { band: "100_to_1000", belowMinor: 100_000n },
  { band: "1000_to_10000", belowMinor: 1_000_000n },
  { band: "over_10000", belowMinor: undefined },
] as const;

/** Register escrow's metrics beside the kit's, with zero-valued series for every label. */
export function createEscrowMetrics(metrics: ServiceMetrics): EscrowMetrics {
  const registers = [metrics.registry];
  const payoutResults = new Counter({
    name: "escrow_payouts_total",
    help: "Seller payouts by how the provider answered: sent, failed, ambiguous, unreachable.",
    labelNames: ["result"] as const,
    registers,
  });
  for (const result of ["sent", "failed", "ambiguous", "unreachable"])
    payoutResults.inc({ result }, 0);
  const adminActions = new Counter({
    name: "escrow_admin_actions_total",
    help: "Releases and refunds made by an admin (endpoint) or an EscrowResolution control.",
    labelNames: ["action", "via"] as const,
    registers,
  });
  for (const action of ["release", "refund"])
    for (const via of ["admin", "control", "dispute"]) adminActions.inc({ action, via }, 0);
  const reveals = new Counter({
    name: "escrow_credential_reveals_total",
    help: "Credential reveals: revealed, refused (not the buyer, funds not held), failed (the vault could not open them).",
    labelNames: ["outcome"] as const,
    registers,
  });
  for (const outcome of ["revealed", "refused", "failed"]) reveals.inc({ outcome }, 0);
  const disputes = new Gauge({
    name: "escrow_disputes",
    help: "Undecided disputes by status: open (awaiting a decision) or escalated (unclear, to the super admin).",
    labelNames: ["status"] as const,
    registers,
  });
  for (const status of ["open", "escalated"]) disputes.set({ status }, 0);
  const databaseErrors = new Counter({
    name: "escrow_database_errors_total",
    help: "Requests that failed on PostgreSQL: query (an error the server answered) or unavailable (unreachable).",
    labelNames: ["kind"] as const,
    registers,
  });
  for (const kind of ["query", "unavailable"]) databaseErrors.inc({ kind }, 0);
  return {
    ...createLoginMetrics(registers),
    disputes,
    databaseErrors,
    payoutResults,
    adminActions,
    stuckTransactions: new Gauge({
      name: "escrow_stuck_transactions",
      help: "Transactions in funds_held, contract_signed or disputed for longer than stuckEscrowDays, by amount band.",
      labelNames: ["band"] as const,
      registers,
    }),
    stuckAmount: new Gauge({
      name: "escrow_stuck_transactions_amount",
      help: "Summed amount (minor units) of the stuck transactions, by amount band.",
      labelNames: ["band"] as const,
      registers,
    }),
    reveals,
    keyDerivationSeconds: new Histogram({
      name: "escrow_vault_key_derivation_seconds",
      help: "Time the vault's memory-hard key derivation took (deliberately slow).",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    webhooks: new Counter({
      name: "escrow_webhooks_total",
      help: "Provider webhook deliveries by event and outcome (applied, replayed, ignored, refused, mismatch, bad_signature).",
      labelNames: ["event", "outcome"] as const,
      registers,
    }),
  };
}
