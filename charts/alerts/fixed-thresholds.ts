/**
 * @module Alert numbers the runbooks leave open and `environments/` does not (yet) carry. Kept
 * in this one constant so moving them into the environment schema is a one-place change.
 */

/** Every value here is breakwater's choice, with the reason beside it. */
export const fixedAlertThresholds = {
  /**
   * Seed 000: manual review queue alerts "during business hours". Someone is there to work
   * it 09:00–18:00 UTC, Monday to Friday (PromQL `day_of_week()`: 0 is Sunday).
   */
  businessHours: { startHourUtc: 9, endHourUtc: 18, firstWeekday: 1, lastWeekday: 5 },
  /**
   * Seed 000: payout worker failures "spike over baseline". A spike is a failure rate over
   * `window` at least `factor` times the rate of the `baselineWindow` before it, and at least
   * `minimumFailures` failures in `window`, so one failure after a clean day does not page.
   */
  payoutFailureSpike: { window: "10m", baselineWindow: "1d", factor: 3, minimumFailures: 5 },
  /**
   * Seed 000: reconciliation failed > 0 "for 1h". Each evaluation looks back this far, longer
   * than the worker's interval (RECONCILIATION_INTERVAL_MS, 60 s by default) plus a scrape.
   */
  reconciliationLookback: "15m",
  /** Seed 000: idempotency store errors "sustained": this long without a quiet 5m window. */
  idempotencyErrorsSustained: "10m",
  /**
   * Seed 003 ("PSP Webhook Failures"): deliveries whose processing failed in this window, for
   * this long, open a ticket; the PSP retries, so one failure that a retry fixed stays quiet.
   */
  webhookFailures: { window: "15m", sustained: "10m" },
  /** Rate window of the HTTP and outbox alerts: four 30 s scrapes and more. */
  rateWindow: "5m",
  /** How long the HTTP error ratio and p95 must stay above their thresholds. */
  httpSustained: "10m",
  /** Seed 001 (SEV-3): outbox relay attempts failing this long before anyone is told. */
  outboxFailingSustained: "15m",
  /** A parked event stops being retried: tell someone once it has been parked this long. */
  outboxParkedSustained: "5m",
  /**
   * Seed 001 scenario 1 (SEV-1): purchases failing over this window, and only once at least
   * `minimumPurchases` ended in it, so two failures out of three at night do not page.
   */
  purchaseFailure: { window: "5m", minimumPurchases: 20, sustained: "5m" },
  /** Seed 001 scenario 2 (SEV-2): stuck reservations above the count this long. */
  stuckReservationsSustained: "5m",
  /**
   * Seed 001 scenario 3: a breaker that "flaps (Open/Closed repeatedly)": this many openings
   * of one provider's breaker within the window.
   */
  breakerFlapping: { window: "30m", openings: 3 },
  /**
   * Seed 002: the exchange's windows (invariant violations and split-brain signals look back
   * `alerts.exchangeSignalWindowMinutes` of `environments/`). Settlement lag p99 is taken over
   * `lagWindow` and must stay above T2/T3 for `lagSustained`, short because §3.2's policy
   * acts on it; a stalled settlement or producer errors for `outageSustained` is §3.5.
   */
  exchange: { lagWindow: "2m", lagSustained: "1m", outageSustained: "2m" },
  /**
   * Seed 004's escrow alerts. "Failed payouts: alert immediately" and every admin release or
   * refund look back `signalWindow` with no `for`. Database errors per minute are a rate over
   * `databaseErrorWindow`. The OTP success ratio is judged over `otpWindow` once
   * `otpMinimum` verifications happened in it (two typos at night are not an incident).
   * "Multiple failed logins" is `loginFailures` or more in `loginWindow`. Funds held past
   * stuckEscrowDays open a ticket after `stuckSustained` (the scan runs every minute).
   */
  escrow: {
    signalWindow: "5m",
    databaseErrorWindow: "2m",
    otpWindow: "15m",
    otpMinimum: 20,
    loginWindow: "10m",
    loginFailures: 20,
    stuckSustained: "15m",
  },
} as const;
