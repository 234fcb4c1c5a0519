/**
 * @module An admin's decision on a payout in manual review: `confirm_sent` settles it (the
 * PSP did pay), `refund_failed` returns the funds to the wallet (it did not). The decision,
 * the money, the audit row (actor, reason, before, after) and the event commit together; a
 * payout that is no longer in review cannot be decided again.
 */
import { appendAudit } from "../kit/audit";
import { type Pool, withTransaction } from "../kit/db";
import { finishPayout, lockPayout } from "./payout-finish";
import { type ManualReviewDecision, type PayoutStatus, statusAfterDecision } from "./payout-state";
import type { Payout } from "./payouts";

export interface Resolution {
  readonly id: string;
  readonly decision: ManualReviewDecision;
  readonly reason: string;
  readonly actor: string;
  readonly ticket?: string | null;
}

/** No payout with that id. */
export class PayoutNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`payout ${id} does not exist`);
    this.name = "PayoutNotFoundError";
  }
}

/** The payout is not waiting for a decision (already resolved, or never ambiguous). */
export class PayoutNotInReviewError extends Error {
  constructor(
    readonly id: string,
    readonly status: PayoutStatus,
  ) {
    super(`payout ${id} is ${status}, not in manual review`);
    this.name = "PayoutNotInReviewError";
  }
}

/** Apply the decision; returns the payout as it is afterwards. */
export async function resolvePayout(pool: Pool, resolution: Resolution): Promise<Payout> {
  return withTransaction(pool, async (tx) => {
    const before = await lockPayout(tx, resolution.id);
    if (before === undefined) throw new PayoutNotFoundError(resolution.id);
    if (before.status !== "manual_review")
      throw new PayoutNotInReviewError(before.id, before.status);
    const decided = {
      decision: resolution.decision,
      reason: resolution.reason,
      actor: resolution.actor,
      ticket: resolution.ticket ?? null,
      at: new Date().toISOString(),
    };
    const to = statusAfterDecision(resolution.decision) as "settled" | "refunded";
    const after = await finishPayout(tx, before, to, { resolution: decided });
    await appendAudit(tx, {
      actor: resolution.actor,
      action: "payout.resolve",
      subject: `payouts:${before.id}`,
      reason: resolution.reason,
      ticket: resolution.ticket ?? null,
      before,
      after,
    });
    return after;
  });
}
