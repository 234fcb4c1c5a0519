/**
 * @module Deposits announced by the PSP's webhook: each reference credits its account once
 * (clearing → wallet). A delivery repeated with the same payload is a replay and gets the
 * same result; the same reference with a different payload is drift, refused with 409
 * `webhook/reference-mismatch`, because crediting either version could be wrong.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../kit/canonical-json";
import { type Pool, withTransaction } from "../kit/db";
import { DuplicateReferenceError, postTransaction } from "../kit/ledger/ledger";
import { publishEvent } from "./events";
import { clearingAccount } from "./payouts";

export interface DepositInput {
  readonly reference: string;
  readonly account: string;
  readonly amount: bigint;
  readonly currency: string;
  /** The whole parsed payload; its canonical hash tells a replay from drift. */
  readonly payload: unknown;
}

export interface Deposit {
  readonly reference: string;
  readonly account: string;
  readonly amount: string;
  readonly currency: string;
  readonly transactionId: string;
  readonly createdAt: string;
}

/** The reference is known with another payload. */
export class DepositReferenceMismatchError extends Error {
  constructor(readonly reference: string) {
    super(`deposit ${reference} was already received with a different payload`);
    this.name = "DepositReferenceMismatchError";
  }
}

/** Credit the deposit, or answer a replay with the recorded result. */
export async function recordDeposit(
  pool: Pool,
  input: DepositInput,
): Promise<{ deposit: Deposit; replayed: boolean }> {
  const payloadSha256 = createHash("sha256").update(canonicalJson(input.payload)).digest("hex");
  try {
    const deposit = await withTransaction(pool, async (tx) => {
      const posted = await postTransaction(tx, {
        kind: "deposit",
        reference: `deposit:${input.reference}`,
        postings: [
          {
            source: clearingAccount,
            target: input.account,
            amount: input.amount,
            currency: input.currency,
          },
        ],
        metadata: { deposit: input.reference },
        externalAllowed: [clearingAccount],
      });
      await tx.query(
        `INSERT INTO deposits (reference, payload_sha256, account, currency, amount, transaction_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          input.reference,
          payloadSha256,
          input.account,
          input.currency,
          input.amount.toString(),
          posted.id,
          posted.createdAt,
        ],
      );
      const deposit: Deposit = {
        reference: input.reference,
        account: input.account,
        amount: input.amount.toString(),
        currency: input.currency,
        transactionId: posted.id,
        createdAt: posted.createdAt.toISOString(),
      };
      publishEvent(tx, "deposit.received", input.reference, { ...deposit });
      return deposit;
    });
    return { deposit, replayed: false };
  } catch (error) {
    if (!(error instanceof DuplicateReferenceError)) throw error;
    return { deposit: await storedDeposit(pool, input.reference, payloadSha256), replayed: true };
  }
}

async function storedDeposit(
  pool: Pool,
  reference: string,
  payloadSha256: string,
): Promise<Deposit> {
  const result = await pool.query<{
    payload_sha256: string;
    account: string;
    currency: string;
    amount: string;
    transaction_id: string;
    created_at: Date;
  }>(
    `SELECT payload_sha256, account, currency, amount::text AS amount, transaction_id, created_at
       FROM deposits WHERE reference = $1`,
    [reference],
  );
  const row = result.rows[0];
  if (row === undefined || row.payload_sha256 !== payloadSha256)
    throw new DepositReferenceMismatchError(reference);
  return {
    reference,
    account: row.account,
    amount: row.amount,
    currency: row.currency,
    transactionId: row.transaction_id,
    createdAt: row.created_at.toISOString(),
  };
}
