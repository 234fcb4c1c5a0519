/**
 * @module The metrics payments adds to the kit's registry, under the names the runbook's
 * alerts use: the manual review queue, its transitions, ledger imbalances, and webhook attempts.
 */
import { Counter, Gauge } from "prom-client";
import type { ServiceMetrics } from "../kit/metrics";

export type ManualReviewAction = "entered" | "confirm_sent" | "refund_failed";

export interface PaymentsMetrics {
  /** `payout_manual_review_queue_size`: payouts waiting for a human decision. */
  readonly manualReviewQueueSize: Gauge;
  /** `payout_manual_review_transitions_total{action}`: entered, confirm_sent, refund_failed. */
  readonly manualReviewTransitions: Counter<"action">;
  /** `ledger_imbalance_total{currency}`: reconciliation runs that found a mismatch. */
  readonly ledgerImbalance: Counter<"currency">;
  /** `payouts_total{result}`: sends by PSP answer (sent, failed, ambiguous, unreachable). */
  readonly payoutResults: Counter<"result">;
  /** `webhook_attempts_total{source,outcome}`: PSP webhook processing by delivery or replay. */
  readonly webhookAttempts: Counter<"source" | "outcome">;
}

/** Register payments' metrics beside the kit's. */
export function createPaymentsMetrics(metrics: ServiceMetrics): PaymentsMetrics {
  const registers = [metrics.registry];
  const manualReviewTransitions = new Counter({
    name: "payout_manual_review_transitions_total",
    help: "Payouts entering manual review (entered) and leaving it by decision (confirm_sent, refund_failed).",
    labelNames: ["action"] as const,
    registers,
  });
  // Zero-valued series exist from the start, so rate() and alerts see them before the first event.
  for (const action of ["entered", "confirm_sent", "refund_failed"])
    manualReviewTransitions.inc({ action }, 0);
  const webhookAttempts = new Counter({
    name: "webhook_attempts_total",
    help: "PSP webhook events processed, by source (delivery by the PSP, replay by on call) and outcome (succeeded, failed).",
    labelNames: ["source", "outcome"] as const,
    registers,
  });
  for (const source of ["delivery", "replay"]) {
    for (const outcome of ["succeeded", "failed"]) webhookAttempts.inc({ source, outcome }, 0);
  }
  return {
    webhookAttempts,
    manualReviewQueueSize: new Gauge({
      name: "payout_manual_review_queue_size",
      help: "Payouts in manual review, as last counted by the payout worker or a resolve.",
      registers,
    }),
    manualReviewTransitions,
    ledgerImbalance: new Counter({
      name: "ledger_imbalance_total",
      help: "Reconciliation findings: a currency whose entries do not sum to zero, or balances that differ from their entries.",
      labelNames: ["currency"] as const,
      registers,
    }),
    payoutResults: new Counter({
      name: "payouts_total",
      help: "Payout sends by how the PSP answered: sent, failed, ambiguous, unreachable.",
      labelNames: ["result"] as const,
      registers,
    }),
  };
}
