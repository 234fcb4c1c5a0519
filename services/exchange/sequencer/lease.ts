/**
 * @module The sequencer lease of one symbol in PostgreSQL: one holder at a time, until it
 * expires. Taking over an expired (or free) lease bumps the fencing token, and the engine log
 * refuses rows stamped with any other token, so a leader that lost its lease cannot write.
 */
import type { Pool } from "../../kit/db";

export interface Lease {
  readonly symbol: string;
  readonly holder: string;
  readonly fencingToken: bigint;
}

/**
 * Takes the lease of `symbol` for `holder` when it is free or expired (a new token), or renews
 * it when `holder` already holds it (same token). Undefined when another holder has it.
 */
export async function acquireLease(
  pool: Pool,
  symbol: string,
  holder: string,
  ttlMs: number,
): Promise<Lease | undefined> {
  const result = await pool.query<{ fencing_token: string }>(
    `INSERT INTO exchange_leases (symbol, holder, fencing_token, expires_at)
     VALUES ($1, $2, 1, now() + make_interval(secs => $3 / 1000.0))
     ON CONFLICT (symbol) DO UPDATE SET
       holder = EXCLUDED.holder,
       fencing_token = CASE
         WHEN exchange_leases.holder = EXCLUDED.holder AND exchange_leases.expires_at > now()
         THEN exchange_leases.fencing_token
         ELSE exchange_leases.fencing_token + 1 END,
       expires_at = EXCLUDED.expires_at
     WHERE exchange_leases.holder = EXCLUDED.holder OR exchange_leases.expires_at <= now()
     RETURNING fencing_token`,
    [symbol, holder, ttlMs],
  );
  const row = result.rows[0];
  return row === undefined
    ? undefined
    : { symbol, holder, fencingToken: BigInt(row.fencing_token) };
}

/** Gives the lease up at once (a clean stop), so the next replica need not wait for expiry. */
export async function releaseLease(pool: Pool, lease: Lease): Promise<void> {
  await pool.query(
    `UPDATE exchange_leases SET expires_at = now()
     WHERE symbol = $1 AND holder = $2 AND fencing_token = $3`,
    [lease.symbol, lease.holder, lease.fencingToken.toString()],
  );
}
