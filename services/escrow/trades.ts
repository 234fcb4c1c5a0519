/**
 * @module What buyers and sellers do to a transaction: open it for a listing, sign the
 * transfer contract (the second signature moves it to contract_signed), confirm access (the
 * buyer's release) and cancel before paying.
 */
import { randomUUID } from "node:crypto";
import { type Pool, withTransaction } from "../kit/db";
import { publishEscrowEvent } from "./events";
import { getListing } from "./listings";
import { resolveTransaction } from "./resolution";
import { TransactionTransitionError } from "./transaction-state";
import {
  type EscrowTransaction,
  lockTransaction,
  moveTransaction,
  type TransactionRow,
  toTransaction,
  transactionColumns,
} from "./transactions";

/** A listing that cannot be bought: unknown, the buyer's own, not active, or already in a sale. */
export class ListingUnavailableError extends Error {
  constructor(
    readonly listingId: string,
    readonly why: "not-found" | "own" | "not-active" | "in-sale",
  ) {
    super(`listing ${listingId} cannot be bought (${why})`);
    this.name = "ListingUnavailableError";
  }
}

/** Open a transaction for a listing; the same reference answers the first transaction. */
export async function openTransaction(
  pool: Pool,
  input: { readonly buyerId: string; readonly listingId: string; readonly reference: string },
): Promise<{ transaction: EscrowTransaction; created: boolean }> {
  const existing = await pool.query<TransactionRow>(
    `SELECT ${transactionColumns} FROM transactions WHERE reference = $1 AND buyer_id = $2`,
    [input.reference, input.buyerId],
  );
  if (existing.rows[0]) return { transaction: toTransaction(existing.rows[0]), created: false };
  return withTransaction(pool, async (tx) => {
    const listing = await getListing(tx, input.listingId);
    if (listing === undefined) throw new ListingUnavailableError(input.listingId, "not-found");
    if (listing.sellerId === input.buyerId) throw new ListingUnavailableError(listing.id, "own");
    if (listing.status !== "active") throw new ListingUnavailableError(listing.id, "not-active");
    const inserted = await tx.query<TransactionRow>(
      `INSERT INTO transactions (reference, listing_id, buyer_id, seller_id, currency, amount, payment_reference)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING
       RETURNING ${transactionColumns}`,
      [
        input.reference,
        listing.id,
        input.buyerId,
        listing.sellerId,
        listing.currency,
        listing.amount,
        `esc_${randomUUID().replaceAll("-", "")}`,
      ],
    );
    const row = inserted.rows[0];
    if (row === undefined) throw new ListingUnavailableError(listing.id, "in-sale");
    const transaction = toTransaction(row);
    publishEscrowEvent(tx, "transaction.created", transaction.id, { transaction });
    return { transaction, created: true };
  });
}

/** Record a party's signature; the second one moves funds_held → contract_signed. */
export async function signContract(
  pool: Pool,
  id: string,
  party: "buyer" | "seller",
  actor: string,
): Promise<EscrowTransaction | undefined> {
  return withTransaction(pool, async (tx) => {
    const current = await lockTransaction(tx, id);
    if (current === undefined) return undefined;
    if (current.state !== "funds_held" && current.state !== "contract_signed")
      throw new TransactionTransitionError(id, current.state, "contract_signed");
    const column = party === "buyer" ? "buyer_signed_at" : "seller_signed_at";
    const signed = await tx.query<TransactionRow>(
      `UPDATE transactions SET ${column} = coalesce(${column}, now()), updated_at = now()
        WHERE id = $1 RETURNING ${transactionColumns}`,
      [id],
    );
    const after = toTransaction(signed.rows[0]!);
    const both = after.buyerSignedAt !== null && after.sellerSignedAt !== null;
    if (!both || after.state === "contract_signed") return after;
    return moveTransaction(tx, after, "contract_signed", {
      actor,
      via: "api",
      reason: "both parties signed the transfer contract",
    });
  });
}

/** The buyer confirms access: contract_signed → released (funds to the seller). */
export async function confirmAccess(pool: Pool, id: string, buyerId: string) {
  return resolveTransaction(
    pool,
    id,
    "release",
    { actor: buyerId, via: "api", reason: "buyer confirmed access" },
    (transaction) => {
      if (transaction.state !== "contract_signed")
        throw new TransactionTransitionError(id, transaction.state, "released");
    },
  );
}

/** Cancel a transaction nobody paid for yet. */
export async function cancelTransaction(pool: Pool, id: string, actor: string) {
  return withTransaction(pool, async (tx) => {
    const current = await lockTransaction(tx, id);
    if (current === undefined || current.state === "cancelled") return current;
    return moveTransaction(tx, current, "cancelled", {
      actor,
      via: "api",
      reason: "cancelled before payment",
    });
  });
}
