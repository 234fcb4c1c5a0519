/**
 * @module Listings: what a seller offers, with the account's credentials sealed in the vault
 * in the same database transaction as the listing, so no listing exists without them.
 */
import { type Pool, withTransaction } from "../kit/db";
import type { Queryable } from "../kit/ledger/ledger";
import type { CredentialVault } from "./credential-vault";

export interface Listing {
  readonly id: string;
  readonly sellerId: string;
  readonly title: string;
  readonly amount: string;
  readonly currency: string;
  readonly status: "active" | "sold" | "removed";
  readonly createdAt: string;
}

const listingColumns = `id, seller_id AS "sellerId", title, amount::text AS amount, currency,
  status, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`;

export interface NewListing {
  readonly sellerId: string;
  readonly title: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly credentials: unknown;
}

/** Create a listing and seal its credentials. */
export async function createListing(
  pool: Pool,
  vault: CredentialVault,
  input: NewListing,
): Promise<Listing> {
  const id = crypto.randomUUID();
  // The key derivation is slow on purpose: done before the transaction opens.
  const sealed = await vault.seal(id, input.credentials);
  return withTransaction(pool, async (tx) => {
    const result = await tx.query<Listing>(
      `INSERT INTO listings (id, seller_id, title, amount, currency) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${listingColumns}`,
      [id, input.sellerId, input.title, input.amount.toString(), input.currency],
    );
    await tx.query(
      `INSERT INTO credential_vaults (listing_id, algorithm, kdf, salt, nonce, ciphertext)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        id,
        sealed.algorithm,
        JSON.stringify(sealed.kdf),
        sealed.salt,
        sealed.nonce,
        sealed.ciphertext,
      ],
    );
    return result.rows[0]!;
  });
}

/** The listing, or undefined. */
export async function getListing(client: Queryable, id: string): Promise<Listing | undefined> {
  const result = await client.query<Listing>(
    `SELECT ${listingColumns} FROM listings WHERE id = $1`,
    [id],
  );
  return result.rows[0];
}
