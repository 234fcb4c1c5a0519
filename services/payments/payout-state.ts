/**
 * @module The payout state machine. A payout is `queued` when its funds are reserved,
 * `sending` while a worker holds it, and ends `settled` (the PSP paid) or `refunded` (the
 * PSP did not, funds back to the wallet). An answer nobody can trust puts it in
 * `manual_review` until an admin decides. The database trigger in 002_payouts.sql allows
 * exactly these moves too.
 *
 * ```
 * queued ──claim──▶ sending ──sent──────────▶ settled
 *    ▲                 │ ├──failed──────────▶ refunded
 *    └──unreachable────┘ └──ambiguous──▶ manual_review ──confirm_sent──▶ settled
 *                                              └──────────refund_failed──▶ refunded
 * ```
 */
import type { PspOutcome } from "../kit/psp-gateway";

export const payoutStatuses = [
  "queued",
  "sending",
  "manual_review",
  "settled",
  "refunded",
] as const;
export type PayoutStatus = (typeof payoutStatuses)[number];

/** What an admin decides for a payout in manual review. */
export type ManualReviewDecision = "confirm_sent" | "refund_failed";

/** The moves allowed from each status. */
export const payoutTransitions: Readonly<Record<PayoutStatus, readonly PayoutStatus[]>> = {
  queued: ["sending"],
  sending: ["queued", "settled", "refunded", "manual_review"],
  manual_review: ["settled", "refunded"],
  settled: [],
  refunded: [],
};

/** A move the state machine does not allow. */
export class PayoutTransitionError extends Error {
  constructor(
    readonly from: PayoutStatus,
    readonly to: PayoutStatus,
  ) {
    super(`a payout cannot move from ${from} to ${to}`);
    this.name = "PayoutTransitionError";
  }
}

/** Whether `from → to` is allowed. */
export function canTransition(from: PayoutStatus, to: PayoutStatus): boolean {
  return payoutTransitions[from].includes(to);
}

/** Throw {@link PayoutTransitionError} unless `from → to` is allowed. */
export function assertTransition(from: PayoutStatus, to: PayoutStatus): void {
  if (!canTransition(from, to)) throw new PayoutTransitionError(from, to);
}

/** Where a send's outcome takes a payout that is `sending`. */
export function statusAfterSend(outcome: PspOutcome["kind"]): PayoutStatus {
  switch (outcome) {
    case "sent":
      return "settled";
    case "failed":
      return "refunded";
    case "ambiguous":
      return "manual_review";
    case "unreachable":
      return "queued";
  }
}

/** Where an admin's decision takes a payout in manual review. */
export function statusAfterDecision(decision: ManualReviewDecision): PayoutStatus {
  return decision === "confirm_sent" ? "settled" : "refunded";
}

/** Whether a status is final: no move leaves it. */
export function isFinal(status: PayoutStatus): boolean {
  return payoutTransitions[status].length === 0;
}
