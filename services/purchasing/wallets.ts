/**
 * @module Wallets: `users:<id>:wallet` accounts on the kit's ledger. A credit (money paid in
 * from outside, a back-office action) posts `platform:wallets:funding` → wallet once per
 * reference and is audited.
 */
import { appendAudit } from "../kit/audit";
import { type Pool, withTransaction } from "../kit/db";
import { createAccount } from "../kit/ledger/accounts";
import { DuplicateReferenceError, postTransaction } from "../kit/ledger/ledger";

export const fundingAccount = "platform:wallets:funding";

export interface WalletCredit {
  readonly account: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly reference: string;
  readonly reason: string;
  readonly actor: string;
}

/** Credit a wallet (created when new); false when the reference had already credited. */
export async function creditWallet(pool: Pool, credit: WalletCredit): Promise<boolean> {
  await createAccount(pool, { name: credit.account, type: "user" });
  try {
    await withTransaction(pool, async (tx) => {
      const posted = await postTransaction(tx, {
        kind: "wallet_credit",
        reference: `wallet-credit:${credit.reference}`,
        postings: [
          {
            source: fundingAccount,
            target: credit.account,
            amount: credit.amount,
            currency: credit.currency,
          },
        ],
        metadata: { reason: credit.reason },
      });
      await appendAudit(tx, {
        actor: credit.actor,
        action: "wallet.credit",
        subject: `accounts:${credit.account}`,
        reason: credit.reason,
        after: {
          transaction: posted.id,
          amount: credit.amount.toString(),
          currency: credit.currency,
        },
      });
    });
    return true;
  } catch (error) {
    if (error instanceof DuplicateReferenceError) return false;
    throw error;
  }
}
