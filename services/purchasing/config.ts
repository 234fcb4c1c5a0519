/** @module The purchasing service's own settings, added to the kit's common ones. */
import { z } from "zod";
import { callerAuthConfigSchema } from "../kit/caller-auth";

function positiveMs(defaultMs: number) {
  return z.coerce.number().int().positive().default(defaultMs);
}

/** Environment variables read by purchasing (beside PORT, DATABASE_URL, ... from the kit). */
export const purchasingConfigSchema = z.object({
  /** Who calls the public API: AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS (see the kit). */
  ...callerAuthConfigSchema.shape,
  /** Bearer token of `POST /api/cron/reconcile` (the scheduler's secret). */
  CRON_SECRET: z.string().min(16, "expected at least 16 characters"),
  /** A provider call without an answer after this long is a failure (the order may exist). */
  PROVIDER_TIMEOUT_MS: positiveMs(5_000),
  /** How often every replica re-reads the providers table. */
  PROVIDERS_RELOAD_MS: positiveMs(1_000),
  /** How long an open breaker refuses calls before letting a trial through (seed: 15 s). */
  BREAKER_OPEN_MS: positiveMs(15_000),
  /** Consecutive failures that open a provider's breaker. */
  BREAKER_CONSECUTIVE_FAILURES: z.coerce.number().int().min(1).default(5),
  /** Share of failed calls among the last BREAKER_WINDOW_CALLS that opens it. */
  BREAKER_FAILURE_RATIO: z.coerce.number().gt(0).max(1).default(0.5),
  /** Calls the failure ratio is taken over (and the minimum before it can open). */
  BREAKER_WINDOW_CALLS: z.coerce.number().int().min(2).default(20),
  /** A purchase still pending after this long is stuck and goes to reconciliation. */
  RESERVATION_DEADLINE_MS: positiveMs(60_000),
  /** Expiry of `lock:purchase:<id>`, longer than a purchase's routing can take. */
  PURCHASE_LOCK_TTL_MS: positiveMs(30_000),
  /** How often the reconciliation worker looks for stuck reservations. */
  RECONCILE_INTERVAL_MS: positiveMs(30_000),
  /** Stuck purchases one reconciliation run resolves at most. */
  RECONCILE_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
});

export type PurchasingConfig = z.infer<typeof purchasingConfigSchema>;
