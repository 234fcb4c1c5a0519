/**
 * @module Revealing a listing's credentials to the buyer of a transaction, once its funds are
 * held. Each reveal is recorded (`credential_reveals`, and the first one on the vault row as
 * `revealed_at`, `revealed_to_user_id`), audited and announced, in one database transaction
 * that checks the buyer and the state again under a lock.
 */
import { appendAudit } from "../kit/audit";
import { type Pool, withTransaction } from "../kit/db";
import { problem } from "../kit/problem";
import type { CredentialVault, KdfParameters, SealedCredentials } from "./credential-vault";
import { publishEscrowEvent } from "./events";
import { escrowProblems, transactionNotFound } from "./problems";
import { mayReveal } from "./transaction-state";
import { type EscrowTransaction, getTransaction } from "./transactions";

export interface Reveal {
  readonly transactionId: string;
  readonly listingId: string;
  readonly credentials: unknown;
  readonly revealedAt: string;
}

/** Refuse unless `userId` is the buyer and the funds are held (or were released). */
function requireRevealable(transaction: EscrowTransaction | undefined, id: string, userId: string) {
  if (transaction === undefined) throw transactionNotFound(id);
  if (transaction.buyerId !== userId) {
    // The seller knows the transaction; anyone else learns nothing about it.
    if (transaction.sellerId !== userId) throw transactionNotFound(id);
    throw revealRefused("only the buyer of the transaction may see the credentials", 403);
  }
  if (!mayReveal(transaction.state)) {
    throw revealRefused(
      `the transaction is ${transaction.state}; credentials are revealed once the funds are held`,
      409,
    );
  }
}

function revealRefused(detail: string, status: 403 | 409) {
  return problem({
    type: escrowProblems.revealRefused,
    title: "Credentials cannot be revealed",
    status,
    detail,
  });
}

async function sealedOf(pool: Pool, listingId: string): Promise<SealedCredentials> {
  const result = await pool.query<{
    algorithm: string;
    kdf: KdfParameters;
    salt: Buffer;
    nonce: Buffer;
    ciphertext: Buffer;
  }>(
    "SELECT algorithm, kdf, salt, nonce, ciphertext FROM credential_vaults WHERE listing_id = $1",
    [listingId],
  );
  const row = result.rows[0];
  if (row === undefined) throw new Error(`listing ${listingId} has no sealed credentials`);
  return row;
}

/** Open and record one reveal for `userId`; refusals are problems (403, 404, 409). */
export async function revealCredentials(
  pool: Pool,
  vault: CredentialVault,
  id: string,
  userId: string,
): Promise<Reveal> {
  const transaction = await getTransaction(pool, id);
  requireRevealable(transaction, id, userId);
  const listingId = transaction!.listingId;
  // The key derivation is slow on purpose: no lock is held while it runs.
  const credentials = await vault.open(listingId, await sealedOf(pool, listingId));
  return withTransaction(pool, async (tx) => {
    const locked = await tx.query<{ state: EscrowTransaction["state"]; buyer_id: string }>(
      "SELECT state, buyer_id FROM transactions WHERE id = $1 FOR SHARE",
      [id],
    );
    requireRevealable({ ...transaction!, state: locked.rows[0]!.state }, id, userId);
    const recorded = await tx.query<{ revealed_at: Date }>(
      `INSERT INTO credential_reveals (listing_id, transaction_id, revealed_to_user_id)
       VALUES ($1, $2, $3) RETURNING revealed_at`,
      [listingId, id, userId],
    );
    await tx.query(
      `UPDATE credential_vaults
          SET revealed_at = coalesce(revealed_at, $2), revealed_to_user_id = coalesce(revealed_to_user_id, $3)
        WHERE listing_id = $1`,
      [listingId, recorded.rows[0]!.revealed_at, userId],
    );
    const revealedAt = recorded.rows[0]!.revealed_at.toISOString();
    await appendAudit(tx, {
      actor: userId,
      action: "credentials.reveal",
      subject: `transactions:${id}`,
      after: { listingId, revealedAt },
    });
    publishEscrowEvent(tx, "credentials.revealed", id, {
      listingId,
      revealedTo: userId,
      revealedAt,
    });
    return { transactionId: id, listingId, credentials, revealedAt };
  });
}
