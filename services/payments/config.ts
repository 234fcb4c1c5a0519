/** @module The payments service's own settings, added to the kit's common ones. */
import { z } from "zod";
import { callerAuthConfigSchema } from "../kit/caller-auth";

function positiveMs(defaultMs: number) {
  return z.coerce.number().int().positive().default(defaultMs);
}

/** Environment variables read by payments (beside PORT, DATABASE_URL, ... from the kit). */
export const paymentsConfigSchema = z.object({
  /** Who calls the public API: AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS (see the kit). */
  ...callerAuthConfigSchema.shape,
  /** Base URL of the PSP's payout API; payouts are POSTed to `<PSP_URL>/payouts`. */
  PSP_URL: z.url({ protocol: /^https?$/ }),
  /** A send without an answer after this long is ambiguous and goes to manual review. */
  PSP_TIMEOUT_MS: positiveMs(10_000),
  /** Shared key of the deposit webhook's HMAC-SHA256 signature. */
  WEBHOOK_SECRET: z.string().min(16, "expected at least 16 characters"),
  /** The webhook secret's next value while it rotates (`npm run secrets`): both verify. */
  WEBHOOK_SECRET_NEXT: z.string().min(16, "expected at least 16 characters").optional(),
  /** How often the payout worker looks for due payouts. */
  PAYOUT_INTERVAL_MS: positiveMs(1_000),
  /** Payouts one worker run claims at most. */
  PAYOUT_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  /** First retry delay after the PSP was unreachable; doubles per attempt. */
  PAYOUT_RETRY_BASE_MS: positiveMs(1_000),
  /** Ceiling of that retry delay. */
  PAYOUT_RETRY_MAX_MS: positiveMs(300_000),
  /** How often the reconciliation worker recomputes the ledger's sums. */
  RECONCILIATION_INTERVAL_MS: positiveMs(60_000),
});

export type PaymentsConfig = z.infer<typeof paymentsConfigSchema>;

/** The webhook secret values that verify now: the current one, and the next while it rotates. */
export function webhookSecrets(config: PaymentsConfig): readonly string[] {
  return config.WEBHOOK_SECRET_NEXT
    ? [config.WEBHOOK_SECRET, config.WEBHOOK_SECRET_NEXT]
    : [config.WEBHOOK_SECRET];
}
