/**
 * @module Moving a payout to a final status together with its money: settling moves the
 * reserved funds from in-flight to the PSP's clearing account, refunding moves them back to
 * the wallet. One database transaction holds the posting, the status change and the event.
 */
import type { Tx } from "../kit/db";
import { postTransaction } from "../kit/ledger/ledger";
import { publishEvent } from "./events";
import { assertTransition, type PayoutStatus } from "./payout-state";
import {
  clearingAccount,
  inFlightAccount,
  type Payout,
  type PayoutRow,
  payoutColumns,
  toPayout,
} from "./payouts";

/** A payout row locked FOR UPDATE in the caller's transaction. */
export async function lockPayout(tx: Tx, id: string): Promise<Payout | undefined> {
  const result = await tx.query<PayoutRow>(
    `SELECT ${payoutColumns} FROM payouts WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return result.rows[0] && toPayout(result.rows[0]);
}

export interface FinishDetails {
  readonly pspPayoutId?: string | null;
  readonly lastError?: string | null;
  readonly resolution?: Record<string, unknown>;
}

/** Settle or refund a locked payout (which must be `sending` or `manual_review`). */
export async function finishPayout(
  tx: Tx,
  payout: Payout,
  to: Extract<PayoutStatus, "settled" | "refunded">,
  details: FinishDetails = {},
): Promise<Payout> {
  assertTransition(payout.status, to);
  const amount = BigInt(payout.amount);
  const target = to === "settled" ? clearingAccount : payout.account;
  const posted = await postTransaction(tx, {
    kind: to === "settled" ? "payout_settle" : "payout_refund",
    reference: `payout:${payout.id}:${to === "settled" ? "settle" : "refund"}`,
    postings: [{ source: inFlightAccount, target, amount, currency: payout.currency }],
    metadata: { payout: payout.id },
  });
  const result = await tx.query<PayoutRow>(
    `UPDATE payouts
        SET status = $2, final_transaction_id = $3, lease_until = NULL, updated_at = now(),
            psp_payout_id = coalesce($4, psp_payout_id), last_error = coalesce($5, last_error),
            resolution = coalesce($6::jsonb, resolution)
      WHERE id = $1
      RETURNING ${payoutColumns}`,
    [
      payout.id,
      to,
      posted.id,
      details.pspPayoutId ?? null,
      details.lastError ?? null,
      details.resolution ? JSON.stringify(details.resolution) : null,
    ],
  );
  const finished = toPayout(result.rows[0]!);
  publishEvent(tx, to === "settled" ? "payout.settled" : "payout.refunded", payout.id, {
    ...finished,
  });
  return finished;
}

/** Move a locked `sending` payout to manual review (the PSP's answer cannot be trusted). */
export async function holdForReview(tx: Tx, payout: Payout, why: string): Promise<Payout> {
  assertTransition(payout.status, "manual_review");
  const result = await tx.query<PayoutRow>(
    `UPDATE payouts SET status = 'manual_review', last_error = $2, lease_until = NULL, updated_at = now()
      WHERE id = $1 RETURNING ${payoutColumns}`,
    [payout.id, why],
  );
  const held = toPayout(result.rows[0]!);
  publishEvent(tx, "payout.manual_review", payout.id, { ...held });
  return held;
}

/** Put a locked `sending` payout back in the queue, due after `delayMs`. */
export async function requeue(
  tx: Tx,
  payout: Payout,
  delayMs: number,
  why: string | null,
): Promise<void> {
  assertTransition(payout.status, "queued");
  await tx.query(
    `UPDATE payouts
        SET status = 'queued', lease_until = NULL, updated_at = now(),
            next_attempt_at = now() + $2 * interval '1 millisecond', last_error = coalesce($3, last_error)
      WHERE id = $1`,
    [payout.id, delayMs, why],
  );
}
