/**
 * @module Payouts in PostgreSQL: creating one reserves its funds (wallet → in-flight) in the
 * same transaction as the payout row and its event; reading them back for the API and the
 * manual review queue.
 */
import { randomUUID } from "node:crypto";
import { canonicalJson } from "../kit/canonical-json";
import { type Pool, type Tx, withTransaction } from "../kit/db";
import { postTransaction, ReferenceConflictError } from "../kit/ledger/ledger";
import { publishEvent } from "./events";
import type { PayoutStatus } from "./payout-state";

/** Where reserved payout funds wait until the PSP answers. */
export const inFlightAccount = "platform:payouts:in-flight";
/** The PSP's side of the ledger: settled payouts and deposits go through it. */
export const clearingAccount = "platform:psp:clearing";

export interface PayoutInput {
  readonly account: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly destination: string;
  /** The Idempotency-Key, or a fresh id: one payout per reference. */
  readonly reference: string;
}

/** A payout as the API shows it; amounts are strings of minor units. */
export interface Payout {
  readonly id: string;
  readonly reference: string;
  readonly account: string;
  readonly amount: string;
  readonly currency: string;
  readonly destination: string;
  readonly status: PayoutStatus;
  readonly attempts: number;
  readonly pspPayoutId: string | null;
  readonly lastError: string | null;
  readonly resolution: Record<string, unknown> | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Reserve the funds and queue the payout; the payout worker sends it. `beforeCommit` runs
 * last in the payout's transaction (the API stores its idempotent answer there); a repeat
 * whose reference is already queued answers the existing payout without it.
 */
export async function createPayout(
  pool: Pool,
  input: PayoutInput,
  beforeCommit?: (tx: Tx, payout: Payout) => Promise<unknown>,
): Promise<Payout> {
  try {
    return await withTransaction(pool, async (tx) => {
      const payout = await insertPayout(tx, input);
      await beforeCommit?.(tx, payout);
      return payout;
    });
  } catch (error) {
    const record = error as { code?: string; constraint?: string };
    if (record.code !== "23505" || record.constraint !== "payouts_reference_key") throw error;
    const existing = await findPayoutByReference(pool, input.reference);
    if (existing === undefined || !samePayout(existing, input)) {
      throw new ReferenceConflictError("payout", input.reference);
    }
    return existing;
  }
}

async function insertPayout(tx: Tx, input: PayoutInput): Promise<Payout> {
  const id = randomUUID();
  const reserve = await postTransaction(tx, {
    kind: "payout_reserve",
    reference: `payout:${id}:reserve`,
    postings: [
      {
        source: input.account,
        target: inFlightAccount,
        amount: input.amount,
        currency: input.currency,
      },
    ],
    metadata: { payout: id },
    externalAllowed: [],
  });
  const result = await tx.query<PayoutRow>(
    `INSERT INTO payouts (id, reference, account, currency, amount, destination, reserve_transaction_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${payoutColumns}`,
    [
      id,
      input.reference,
      input.account,
      input.currency,
      input.amount.toString(),
      input.destination,
      reserve.id,
    ],
  );
  const payout = toPayout(result.rows[0]!);
  publishEvent(tx, "payout.requested", id, { ...payout });
  return payout;
}

function samePayout(payout: Payout, input: PayoutInput): boolean {
  const asked = {
    account: input.account,
    amount: input.amount.toString(),
    currency: input.currency,
    destination: input.destination,
  };
  const found = {
    account: payout.account,
    amount: payout.amount,
    currency: payout.currency,
    destination: payout.destination,
  };
  return canonicalJson(asked) === canonicalJson(found);
}

/** The payout with this id, or undefined. */
export async function getPayout(pool: Pool | Tx, id: string): Promise<Payout | undefined> {
  const result = await pool.query<PayoutRow>(`SELECT ${payoutColumns} FROM payouts WHERE id = $1`, [
    id,
  ]);
  return result.rows[0] && toPayout(result.rows[0]);
}

async function findPayoutByReference(pool: Pool, reference: string): Promise<Payout | undefined> {
  const result = await pool.query<PayoutRow>(
    `SELECT ${payoutColumns} FROM payouts WHERE reference = $1`,
    [reference],
  );
  return result.rows[0] && toPayout(result.rows[0]);
}

/** One page of the manual review queue, oldest first, and the queue's size. */
export async function listManualReview(
  pool: Pool,
  limit: number,
  offset: number,
): Promise<{ items: Payout[]; total: number }> {
  const [page, count] = await Promise.all([
    pool.query<PayoutRow>(
      `SELECT ${payoutColumns} FROM payouts WHERE status = 'manual_review'
        ORDER BY created_at, id LIMIT $1 OFFSET $2`,
      [limit, offset],
    ),
    countManualReview(pool),
  ]);
  return { items: page.rows.map(toPayout), total: count };
}

/** How many payouts wait in manual review. */
export async function countManualReview(pool: Pool | Tx): Promise<number> {
  const result = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM payouts WHERE status = 'manual_review'",
  );
  return result.rows[0]!.n;
}

/** The columns every payout query selects, in the shape of {@link PayoutRow}. */
export const payoutColumns = `id, reference, account, amount::text AS amount, currency, destination, status,
  attempts, psp_payout_id, last_error, resolution, created_at, updated_at`;

export interface PayoutRow {
  id: string;
  reference: string;
  account: string;
  amount: string;
  currency: string;
  destination: string;
  status: PayoutStatus;
  attempts: number;
  psp_payout_id: string | null;
  last_error: string | null;
  resolution: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
}

export function toPayout(row: PayoutRow): Payout {
  return {
    id: row.id,
    reference: row.reference,
    account: row.account,
    amount: row.amount,
    currency: row.currency,
    destination: row.destination,
    status: row.status,
    attempts: row.attempts,
    pspPayoutId: row.psp_payout_id,
    lastError: row.last_error,
    resolution: row.resolution,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
