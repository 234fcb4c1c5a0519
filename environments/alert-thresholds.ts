/**
 * @module The alert thresholds the runbooks (seeds 000–004) state, shared by every environment
 * unless one overrides a value on purpose.
 */
import type { EnvironmentInput } from "./schema";

/** The runbooks' numbers; settlement lag T2/T3 are breakwater's policy (seed 002 leaves them open). */
export const runbookAlertThresholds = {
  settlementLag: { t2ThrottleSeconds: 5, t3HaltSeconds: 30 },
  purchaseFailureRatio: 0.1,
  stuckReservationsCount: 50,
  outboxRetryCountMax: 5,
  replicationLagMs: 100,
  slowQueryMs: 200,
  errorRatio: 0.05,
  latencyP95Ms: 500,
  latencySevereMs: 5000,
  databaseErrorsPerMinute: 5,
  otpSuccessRatioMin: 0.95,
  manualReviewQueueMinutes: 15,
  ledgerImbalanceWindowMinutes: 5,
  exchangeSignalWindowMinutes: 5,
  reconciliationFailedMinutes: 60,
  stuckEscrowDays: 7,
} as const satisfies EnvironmentInput["alerts"];
