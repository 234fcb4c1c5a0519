/**
 * @module Payouts of released funds to sellers. Release queues one per transaction: the
 * seller's wallet → `platform:escrow:payouts-in-flight`; a sent transfer settles in-flight →
 * the provider's clearing account, a failed one returns the money to the wallet. A payout
 * moves queued → sending → settled | failed, or to manual_review when the provider's answer
 * cannot be trusted, where the transfer webhook or a person finishes it.
 */
import type { Tx } from "../kit/db";
import { postTransaction } from "../kit/ledger/ledger";
import { clearingAccount, payoutsInFlightAccount, walletOf } from "./escrow-money";
import { publishEscrowEvent } from "./events";
import type { EscrowTransaction } from "./transactions";

export type PayoutStatus = "queued" | "sending" | "manual_review" | "settled" | "failed";

export interface EscrowPayout {
  readonly id: string;
  readonly transactionId: string;
  readonly account: string;
  readonly currency: string;
  readonly amount: string;
  readonly status: PayoutStatus;
  readonly attempts: number;
  readonly providerTransferId: string | null;
  readonly lastError: string | null;
}

export const payoutColumns = `id, transaction_id AS "transactionId", account, currency,
  amount::text AS amount, status, attempts, provider_transfer_id AS "providerTransferId",
  last_error AS "lastError"`;

/** Reserve the seller's proceeds and queue their payout (in the release's transaction). */
export async function queuePayout(tx: Tx, transaction: EscrowTransaction): Promise<void> {
  const account = walletOf(transaction.sellerId);
  const reserve = await postTransaction(tx, {
    kind: "escrow_payout_reserve",
    reference: `escrow-payout:${transaction.id}:reserve`,
    postings: [
      {
        source: account,
        target: payoutsInFlightAccount,
        amount: BigInt(transaction.amount),
        currency: transaction.currency,
      },
    ],
    metadata: { transaction: transaction.id },
    externalAllowed: [],
  });
  await tx.query(
    `INSERT INTO escrow_payouts (transaction_id, account, currency, amount, reserve_transaction_id)
     VALUES ($1, $2, $3, $4, $5)`,
    [transaction.id, account, transaction.currency, transaction.amount, reserve.id],
  );
}

/** The payout locked FOR UPDATE, by id. */
export async function lockPayout(tx: Tx, id: string): Promise<EscrowPayout | undefined> {
  const result = await tx.query<EscrowPayout>(
    `SELECT ${payoutColumns} FROM escrow_payouts WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return result.rows[0];
}

/**
 * Finish a locked payout that is `sending` or in `manual_review`: settled moves in-flight →
 * clearing, failed moves it back to the seller's wallet. A finished payout is left as it is
 * (false).
 */
export async function finishPayout(
  tx: Tx,
  payout: EscrowPayout,
  to: "settled" | "failed",
  detail: { readonly transferId?: string | null; readonly error?: string | null },
): Promise<boolean> {
  if (payout.status !== "sending" && payout.status !== "manual_review") return false;
  const posted = await postTransaction(tx, {
    kind: to === "settled" ? "escrow_payout_settle" : "escrow_payout_fail",
    reference: `escrow-payout:${payout.transactionId}:${to}`,
    postings: [
      {
        source: payoutsInFlightAccount,
        target: to === "settled" ? clearingAccount : payout.account,
        amount: BigInt(payout.amount),
        currency: payout.currency,
      },
    ],
    metadata: { payout: payout.id },
    externalAllowed: [clearingAccount],
  });
  await tx.query(
    `UPDATE escrow_payouts
        SET status = $2, final_transaction_id = $3, lease_until = NULL, updated_at = now(),
            provider_transfer_id = coalesce($4, provider_transfer_id),
            last_error = coalesce($5, last_error)
      WHERE id = $1`,
    [payout.id, to, posted.id, detail.transferId ?? null, detail.error ?? null],
  );
  publishEscrowEvent(
    tx,
    to === "settled" ? "payout.settled" : "payout.failed",
    payout.transactionId,
    {
      payout: payout.id,
      amount: payout.amount,
      currency: payout.currency,
      error: detail.error ?? null,
    },
  );
  return true;
}
