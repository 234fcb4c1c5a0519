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

/** Who holds a symbol's unexpired lease, and where the other replicas reach it. */
export interface LeaseHolder {
  readonly holder: string;
  /** Undefined when the holder advertises no address. */
  readonly advertiseUrl: string | undefined;
}

/**
 * Takes the lease of `symbol` for `holder` when it is free or expired (a new token), or renews
 * it when `holder` already holds it (same token), recording `advertiseUrl` with it. Undefined
 * when another holder has it.
 */
export async function acquireLease(
  pool: Pool,
  symbol: string,
  holder: string,
  ttlMs: number,
  advertiseUrl?: string,
): Promise<Lease | undefined> {
  const result = await pool.query<{ fencing_token: string }>(
    `INSERT INTO exchange_leases (symbol, holder, fencing_token, expires_at, advertise_url)
     VALUES ($1, $2, 1, now() + make_interval(secs => $3 / 1000.0), $4)
     ON CONFLICT (symbol) DO UPDATE SET
       holder = EXCLUDED.holder,
       advertise_url = EXCLUDED.advertise_url,
       fencing_token = CASE
         WHEN exchange_leases.holder = EXCLUDED.holder AND exchange_leases.expires_at > now()
         THEN exchange_leases.fencing_token
         ELSE exchange_leases.fencing_token + 1 END,
       expires_at = EXCLUDED.expires_at
     WHERE exchange_leases.holder = EXCLUDED.holder OR exchange_leases.expires_at <= now()
     RETURNING fencing_token`,
    [symbol, holder, ttlMs, advertiseUrl ?? null],
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

/** The holder of `symbol`'s lease while it is unexpired; undefined when none holds it. */
export async function leaseHolder(pool: Pool, symbol: string): Promise<LeaseHolder | undefined> {
  const result = await pool.query<{ holder: string; advertise_url: string | null }>(
    `SELECT holder, advertise_url FROM exchange_leases WHERE symbol = $1 AND expires_at > now()`,
    [symbol],
  );
  const row = result.rows[0];
  return row === undefined
    ? undefined
    : { holder: row.holder, advertiseUrl: row.advertise_url ?? undefined };
}
