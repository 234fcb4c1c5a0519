/**
 * @module Where escrow's money sits on the kit's ledger. A buyer's payment arrives from the
 * provider (`platform:paystack:clearing`, external) into `platform:escrow:held`; release
 * moves it to the seller's `users:<seller>:wallet`, refund to the buyer's
 * `users:<buyer>:wallet`. Each posting's reference names the transaction and the step, so a
 * step posts once whoever runs it.
 */
import type { Tx } from "../kit/db";
import { createAccount } from "../kit/ledger/accounts";
import { postTransaction } from "../kit/ledger/ledger";
import type { EscrowTransaction } from "./transactions";

export const clearingAccount = "platform:paystack:clearing";
export const heldAccount = "platform:escrow:held";
export const payoutsInFlightAccount = "platform:escrow:payouts-in-flight";

/** The wallet of an escrow user (buyers are refunded to it, sellers paid from it). */
export function walletOf(userId: string): string {
  return `users:${userId}:wallet`;
}

/** Post the buyer's payment into the hold; returns the ledger transaction id. */
export async function postHold(tx: Tx, transaction: EscrowTransaction): Promise<string> {
  const posted = await postTransaction(tx, {
    kind: "escrow_hold",
    reference: `escrow:${transaction.id}:hold`,
    postings: [
      {
        source: clearingAccount,
        target: heldAccount,
        amount: BigInt(transaction.amount),
        currency: transaction.currency,
      },
    ],
    metadata: { transaction: transaction.id, paymentReference: transaction.paymentReference },
    externalAllowed: [clearingAccount],
  });
  return posted.id;
}

/** Post the held funds to the seller (release) or back to the buyer (refund). */
export async function postRelease(
  tx: Tx,
  transaction: EscrowTransaction,
  decision: "release" | "refund",
): Promise<string> {
  const target = walletOf(decision === "release" ? transaction.sellerId : transaction.buyerId);
  await createAccount(tx, { name: target, type: "user" });
  const posted = await postTransaction(tx, {
    kind: decision === "release" ? "escrow_release" : "escrow_refund",
    reference: `escrow:${transaction.id}:${decision}`,
    postings: [
      {
        source: heldAccount,
        target,
        amount: BigInt(transaction.amount),
        currency: transaction.currency,
      },
    ],
    metadata: { transaction: transaction.id },
    externalAllowed: [],
  });
  return posted.id;
}
