/**
 * @module Escrow transactions in PostgreSQL: reading them, and {@link moveTransaction}, the
 * one way a state changes: it checks the move against the state machine (the trigger checks
 * it again), stamps the state's time, appends the hash-chained audit row and queues the
 * event, all in the caller's database transaction with the money that moved.
 */
import { appendAudit } from "../kit/audit";
import type { Tx } from "../kit/db";
import type { Queryable } from "../kit/ledger/ledger";
import { type EscrowEventType, publishEscrowEvent } from "./events";
import {
  canTransition,
  type TransactionState,
  TransactionTransitionError,
} from "./transaction-state";

/** A transaction as the API shows it (amounts as strings). */
export interface EscrowTransaction {
  readonly id: string;
  readonly reference: string;
  readonly listingId: string;
  readonly buyerId: string;
  readonly sellerId: string;
  readonly currency: string;
  readonly amount: string;
  readonly state: TransactionState;
  readonly paymentReference: string;
  readonly buyerSignedAt: string | null;
  readonly sellerSignedAt: string | null;
  readonly fundsHeldAt: string | null;
  readonly contractSignedAt: string | null;
  readonly releasedAt: string | null;
  readonly refundedAt: string | null;
  readonly notes: unknown[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TransactionRow {
  id: string;
  reference: string;
  listing_id: string;
  buyer_id: string;
  seller_id: string;
  currency: string;
  amount: string;
  state: TransactionState;
  payment_reference: string;
  buyer_signed_at: Date | null;
  seller_signed_at: Date | null;
  funds_held_at: Date | null;
  contract_signed_at: Date | null;
  released_at: Date | null;
  refunded_at: Date | null;
  notes: unknown[];
  created_at: Date;
  updated_at: Date;
}

export const transactionColumns = `id, reference, listing_id, buyer_id, seller_id, currency,
  amount::text AS amount, state, payment_reference, buyer_signed_at, seller_signed_at,
  funds_held_at, contract_signed_at, released_at, refunded_at, notes, created_at, updated_at`;

function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

export function toTransaction(row: TransactionRow): EscrowTransaction {
  return {
    id: row.id,
    reference: row.reference,
    listingId: row.listing_id,
    buyerId: row.buyer_id,
    sellerId: row.seller_id,
    currency: row.currency,
    amount: row.amount,
    state: row.state,
    paymentReference: row.payment_reference,
    buyerSignedAt: iso(row.buyer_signed_at),
    sellerSignedAt: iso(row.seller_signed_at),
    fundsHeldAt: iso(row.funds_held_at),
    contractSignedAt: iso(row.contract_signed_at),
    releasedAt: iso(row.released_at),
    refundedAt: iso(row.refunded_at),
    notes: row.notes,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The transaction, or undefined (also for an id that is no UUID). */
export async function getTransaction(
  client: Queryable,
  id: string,
): Promise<EscrowTransaction | undefined> {
  if (!uuidPattern.test(id)) return undefined;
  const result = await client.query<TransactionRow>(
    `SELECT ${transactionColumns} FROM transactions WHERE id = $1`,
    [id],
  );
  return result.rows[0] && toTransaction(result.rows[0]);
}

/** The transaction locked FOR UPDATE in the caller's database transaction. */
export async function lockTransaction(tx: Tx, id: string): Promise<EscrowTransaction | undefined> {
  if (!uuidPattern.test(id)) return undefined;
  const result = await tx.query<TransactionRow>(
    `SELECT ${transactionColumns} FROM transactions WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return result.rows[0] && toTransaction(result.rows[0]);
}

/** Who made a move and why: what the audit row records. */
export interface MoveCause {
  readonly actor: string;
  /** api (a party), admin (the admin endpoint), control (an EscrowResolution), webhook, dispute. */
  readonly via: "api" | "admin" | "control" | "webhook" | "dispute";
  readonly reason?: string | null;
  readonly ticket?: string | null;
  /** More to record in the audit row's `after` (a decision, a control's name). */
  readonly details?: Record<string, unknown>;
}

/** Ledger transactions that moved the money, stored with the move. */
export interface MoveMoney {
  readonly holdTransactionId?: string;
  readonly finalTransactionId?: string;
}

const stampColumn: Partial<Record<TransactionState, string>> = {
  funds_held: "funds_held_at",
  contract_signed: "contract_signed_at",
  released: "released_at",
  refunded: "refunded_at",
};

/**
 * Move a locked transaction to `to` (throws {@link TransactionTransitionError} for a move the
 * state machine refuses), with its audit row and event.
 */
export async function moveTransaction(
  tx: Tx,
  current: EscrowTransaction,
  to: TransactionState,
  cause: MoveCause,
  money: MoveMoney = {},
): Promise<EscrowTransaction> {
  if (!canTransition(current.state, to))
    throw new TransactionTransitionError(current.id, current.state, to);
  const stamp = stampColumn[to];
  const result = await tx.query<TransactionRow>(
    `UPDATE transactions
        SET state = $2, updated_at = now(),
            hold_transaction_id = coalesce($3, hold_transaction_id),
            final_transaction_id = coalesce($4, final_transaction_id)
            ${stamp ? `, ${stamp} = now()` : ""}
      WHERE id = $1
      RETURNING ${transactionColumns}`,
    [current.id, to, money.holdTransactionId ?? null, money.finalTransactionId ?? null],
  );
  const moved = toTransaction(result.rows[0]!);
  await appendAudit(tx, {
    actor: cause.actor,
    action: "transaction.transition",
    subject: `transactions:${current.id}`,
    reason: cause.reason ?? null,
    ticket: cause.ticket ?? null,
    before: { state: current.state },
    after: { state: to, via: cause.via, ...money, ...cause.details },
  });
  publishEscrowEvent(tx, `transaction.${to}` as EscrowEventType, current.id, {
    transaction: moved,
    actor: cause.actor,
    via: cause.via,
    reason: cause.reason ?? null,
  });
  return moved;
}

/** Append a note to a transaction (seed 004: "log decision in transaction notes"). */
export async function addNote(
  tx: Tx,
  id: string,
  note: { by: string; text: string; [key: string]: unknown },
): Promise<void> {
  await tx.query(
    `UPDATE transactions SET notes = notes || $2::jsonb, updated_at = now() WHERE id = $1`,
    [id, JSON.stringify([{ ...note, at: new Date().toISOString() }])],
  );
}
