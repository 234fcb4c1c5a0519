/**
 * @module Purchases in PostgreSQL on the kit's ledger. Starting one reserves its funds
 * (wallet → `platform:purchases:reserved`) in the same transaction as the purchase row and
 * its event; finishing it captures them (reserved → `platform:providers:settlement`) or
 * releases them (reserved → wallet). A purchase leaves `pending` once: the update that moves
 * it is conditional on `pending`, so two finishers cannot both post.
 */
import { canonicalJson } from "../kit/canonical-json";
import { type Pool, type Tx, withTransaction } from "../kit/db";
import { postTransaction, ReferenceConflictError } from "../kit/ledger/ledger";
import { publishPurchaseEvent } from "./events";

export const reservedAccount = "platform:purchases:reserved";
export const settlementAccount = "platform:providers:settlement";

export type PurchaseStatus = "pending" | "completed" | "failed" | "cancelled";

export interface PurchaseAttempt {
  readonly provider: string;
  readonly outcome: string;
  readonly detail?: string;
  readonly at: string;
}

/** A purchase as the API shows it; amounts are strings of minor units. */
export interface Purchase {
  readonly id: string;
  readonly reference: string;
  readonly account: string;
  readonly item: string;
  readonly amount: string;
  readonly currency: string;
  readonly status: PurchaseStatus;
  readonly provider: string | null;
  readonly providerOrderId: string | null;
  readonly attempts: PurchaseAttempt[];
  readonly failureReason: string | null;
  readonly deadlineAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface PurchaseInput {
  readonly reference: string;
  readonly account: string;
  readonly item: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly deadlineMs: number;
}

const columns = `id, reference, account, item, amount::text AS amount, currency, status, provider,
  provider_order_id AS "providerOrderId", attempts, failure_reason AS "failureReason",
  deadline_at AS "deadlineAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

type PurchaseRow = Omit<Purchase, "deadlineAt" | "createdAt" | "updatedAt"> & {
  deadlineAt: Date;
  createdAt: Date;
  updatedAt: Date;
};

function toPurchase(row: PurchaseRow): Purchase {
  return {
    ...row,
    deadlineAt: row.deadlineAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Reserve the funds and record the purchase as pending. A repeat of the reference answers the
 * existing purchase (`created: false`); the same reference for another purchase is a
 * {@link ReferenceConflictError}.
 */
export async function startPurchase(
  pool: Pool,
  input: PurchaseInput,
): Promise<{ purchase: Purchase; created: boolean }> {
  const existing = await purchaseByReference(pool, input.reference);
  if (existing) return { purchase: sameOrConflict(existing, input), created: false };
  try {
    return await withTransaction(pool, async (tx) => {
      const purchase = await insertPurchase(tx, input);
      return { purchase, created: true };
    });
  } catch (error) {
    if ((error as { constraint?: string }).constraint !== "purchases_reference_key") throw error;
    const raced = await purchaseByReference(pool, input.reference);
    if (!raced) throw error;
    return { purchase: sameOrConflict(raced, input), created: false };
  }
}

async function insertPurchase(tx: Tx, input: PurchaseInput): Promise<Purchase> {
  const id = crypto.randomUUID();
  const reserve = await postTransaction(tx, {
    kind: "purchase_reserve",
    reference: `purchase:${id}:reserve`,
    postings: [
      {
        source: input.account,
        target: reservedAccount,
        amount: input.amount,
        currency: input.currency,
      },
    ],
    externalAllowed: [],
    metadata: { purchase: id, item: input.item },
  });
  const result = await tx.query<PurchaseRow>(
    `INSERT INTO purchases (id, reference, account, item, amount, currency, deadline_at, reserve_transaction_id)
     VALUES ($1, $2, $3, $4, $5, $6, now() + ($7::text || ' milliseconds')::interval, $8)
     RETURNING ${columns}`,
    [
      id,
      input.reference,
      input.account,
      input.item,
      input.amount.toString(),
      input.currency,
      String(input.deadlineMs),
      reserve.id,
    ],
  );
  const purchase = toPurchase(result.rows[0]!);
  publishPurchaseEvent(tx, "purchase.reserved", id, eventData(purchase));
  return purchase;
}

function sameOrConflict(existing: Purchase, input: PurchaseInput): Purchase {
  const asked = canonicalJson([input.account, input.item, input.amount.toString(), input.currency]);
  const held = canonicalJson([existing.account, existing.item, existing.amount, existing.currency]);
  if (asked !== held) throw new ReferenceConflictError("purchase", input.reference);
  return existing;
}

export async function purchaseByReference(
  pool: Pool | Tx,
  reference: string,
): Promise<Purchase | undefined> {
  const result = await pool.query<PurchaseRow>(
    `SELECT ${columns} FROM purchases WHERE reference = $1`,
    [reference],
  );
  return result.rows[0] && toPurchase(result.rows[0]);
}

export async function getPurchase(pool: Pool | Tx, id: string): Promise<Purchase | undefined> {
  const result = await pool.query<PurchaseRow>(`SELECT ${columns} FROM purchases WHERE id = $1`, [
    id,
  ]);
  return result.rows[0] && toPurchase(result.rows[0]);
}

/**
 * Record that `provider` is about to be asked, with the attempts so far: a crash then leaves
 * whom reconciliation must ask.
 */
export async function recordAttempt(
  pool: Pool,
  id: string,
  provider: string,
  attempts: readonly PurchaseAttempt[],
): Promise<void> {
  await pool.query(
    `UPDATE purchases SET provider = $2, attempts = $3::jsonb, updated_at = now()
     WHERE id = $1 AND status = 'pending'`,
    [id, provider, JSON.stringify(attempts)],
  );
}

export type PurchaseEnd =
  | { readonly status: "completed"; readonly provider: string; readonly orderId: string }
  | { readonly status: "failed" | "cancelled"; readonly reason: string };

/**
 * Finish a pending purchase: capture on completion, release otherwise; `attempts` (the whole
 * list) replaces the recorded one. Answers the purchase as it now is; when it had already
 * left pending nothing is posted.
 */
export async function finishPurchase(
  pool: Pool,
  id: string,
  end: PurchaseEnd,
  attempts?: readonly PurchaseAttempt[],
): Promise<Purchase> {
  return withTransaction(pool, (tx) => finishLocked(tx, id, end, attempts));
}

async function finishLocked(
  tx: Tx,
  id: string,
  end: PurchaseEnd,
  attempts: readonly PurchaseAttempt[] | undefined,
): Promise<Purchase> {
  const locked = await tx.query<{
    account: string;
    amount: string;
    currency: string;
    status: PurchaseStatus;
  }>(
    "SELECT account, amount::text AS amount, currency, status FROM purchases WHERE id = $1 FOR UPDATE",
    [id],
  );
  const row = locked.rows[0];
  if (row === undefined) throw new Error(`purchase ${id} does not exist`);
  if (row.status !== "pending") return (await getPurchase(tx, id))!;
  const captured = end.status === "completed";
  const posted = await postTransaction(tx, {
    kind: captured ? "purchase_capture" : "purchase_release",
    reference: `purchase:${id}:${captured ? "capture" : "release"}`,
    postings: [
      {
        source: reservedAccount,
        target: captured ? settlementAccount : row.account,
        amount: BigInt(row.amount),
        currency: row.currency,
      },
    ],
    metadata: captured ? { purchase: id, provider: end.provider } : { purchase: id },
  });
  const result = await tx.query<PurchaseRow>(
    `UPDATE purchases SET status = $2, provider = coalesce($3, provider), provider_order_id = $4,
       failure_reason = $5, final_transaction_id = $6, attempts = coalesce($7::jsonb, attempts),
       updated_at = now()
     WHERE id = $1 RETURNING ${columns}`,
    [
      id,
      end.status,
      captured ? end.provider : null,
      captured ? end.orderId : null,
      captured ? null : end.reason,
      posted.id,
      attempts ? JSON.stringify(attempts) : null,
    ],
  );
  const purchase = toPurchase(result.rows[0]!);
  publishPurchaseEvent(tx, `purchase.${end.status}`, id, eventData(purchase));
  return purchase;
}

function eventData(purchase: Purchase): Record<string, unknown> {
  const { attempts: _attempts, ...data } = purchase;
  return data;
}

/** Pending purchases past their deadline, oldest first. */
export async function stuckPurchases(pool: Pool, limit: number): Promise<Purchase[]> {
  const result = await pool.query<PurchaseRow>(
    `SELECT ${columns} FROM purchases WHERE status = 'pending' AND deadline_at < now()
      ORDER BY deadline_at LIMIT $1`,
    [limit],
  );
  return result.rows.map(toPurchase);
}

/** How many purchases are pending past their deadline. */
export async function countStuck(pool: Pool): Promise<number> {
  const result = await pool.query<{ count: number }>(
    "SELECT count(*)::int AS count FROM purchases WHERE status = 'pending' AND deadline_at < now()",
  );
  return result.rows[0]?.count ?? 0;
}
