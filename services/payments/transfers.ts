/**
 * @module Transfers between accounts: one ledger transaction, one outbox event, one commit.
 * The transfer's reference (the caller's Idempotency-Key) is unique in the ledger, so a
 * request repeated after its idempotency record was lost still moves the money once.
 */
import { canonicalJson } from "../kit/canonical-json";
import { type Pool, type Tx, withTransaction } from "../kit/db";
import {
  DuplicateReferenceError,
  postTransaction,
  ReferenceConflictError,
} from "../kit/ledger/ledger";
import { publishEvent } from "./events";

export interface TransferInput {
  readonly source: string;
  readonly target: string;
  readonly amount: bigint;
  readonly currency: string;
  /** Unique per transfer: the Idempotency-Key, or a fresh id. */
  readonly reference: string;
  readonly metadata?: Record<string, unknown>;
}

export interface Transfer {
  /** The ledger transaction's id. */
  readonly id: string;
  readonly reference: string;
  readonly source: string;
  readonly target: string;
  readonly amount: string;
  readonly currency: string;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: string;
}

/**
 * Move money between two internal accounts; external accounts are refused. `beforeCommit`
 * runs last in the transfer's transaction (the API stores its idempotent answer there); a
 * repeat whose reference already posted answers the existing transfer without it.
 */
export async function createTransfer(
  pool: Pool,
  input: TransferInput,
  beforeCommit?: (tx: Tx, transfer: Transfer) => Promise<unknown>,
): Promise<Transfer> {
  const details = {
    source: input.source,
    target: input.target,
    amount: input.amount.toString(),
    currency: input.currency,
    metadata: input.metadata ?? {},
  };
  try {
    return await withTransaction(pool, async (tx) => {
      const posted = await postTransaction(tx, {
        kind: "transfer",
        reference: ledgerReference(input.reference),
        postings: [input],
        metadata: details,
        externalAllowed: [],
      });
      const transfer = {
        id: posted.id,
        reference: input.reference,
        ...details,
        createdAt: posted.createdAt.toISOString(),
      };
      publishEvent(tx, "transfer.completed", posted.id, transfer);
      await beforeCommit?.(tx, transfer);
      return transfer;
    });
  } catch (error) {
    if (!(error instanceof DuplicateReferenceError)) throw error;
    const existing = await findTransfer(pool, input.reference);
    if (
      existing === undefined ||
      canonicalJson(withoutIdentity(existing)) !== canonicalJson(details)
    ) {
      throw new ReferenceConflictError("transfer", input.reference);
    }
    return existing;
  }
}

/** The transfer made under `reference`, if any. */
export async function findTransfer(pool: Pool, reference: string): Promise<Transfer | undefined> {
  const result = await pool.query<{
    id: string;
    metadata: Omit<Transfer, "id" | "reference" | "createdAt">;
    created_at: Date;
  }>(
    "SELECT id, metadata, created_at FROM ledger_transactions WHERE reference = $1 AND kind = 'transfer'",
    [ledgerReference(reference)],
  );
  const row = result.rows[0];
  if (row === undefined) return undefined;
  return { id: row.id, reference, ...row.metadata, createdAt: row.created_at.toISOString() };
}

function withoutIdentity(transfer: Transfer): Record<string, unknown> {
  const { id: _id, reference: _reference, createdAt: _createdAt, ...details } = transfer;
  return details;
}

function ledgerReference(reference: string): string {
  return `transfer:${reference}`;
}
