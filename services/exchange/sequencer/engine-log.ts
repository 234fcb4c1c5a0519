/**
 * @module Reading and writing `exchange_engine_log`: a batch of rows appended in the
 * caller's transaction (one multi-row INSERT), the commands read back in seq order for a
 * rebuild, and the two refusals a write can meet, told apart by their SQLSTATE.
 */
import type { Pool, Tx } from "../../kit/db";
import { commandFromLog, type EngineCommand } from "./engine-command";

export interface LogRow {
  readonly seq: bigint;
  readonly kind: string;
  readonly payload: unknown;
}

/** Appends `rows` for `symbol`, each stamped with `fencingToken`. */
export async function appendLog(
  tx: Tx,
  symbol: string,
  fencingToken: bigint,
  rows: readonly LogRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO exchange_engine_log (symbol, seq, fencing_token, kind, payload)
     SELECT $1, seq, $2, kind, payload
     FROM unnest($3::bigint[], $4::text[], $5::jsonb[]) AS row(seq, kind, payload)`,
    [
      symbol,
      fencingToken.toString(),
      rows.map((row) => row.seq.toString()),
      rows.map((row) => row.kind),
      rows.map((row) => JSON.stringify(row.payload)),
    ],
  );
}

/** The commands of `symbol`'s log in seq order, and the last seq (0 when empty). */
export async function readCommands(
  pool: Pool,
  symbol: string,
): Promise<{ commands: EngineCommand[]; lastSeq: bigint }> {
  const [commands, last] = await Promise.all([
    pool.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM exchange_engine_log
       WHERE symbol = $1 AND kind LIKE 'command:%' ORDER BY seq`,
      [symbol],
    ),
    pool.query<{ seq: string | null }>(
      "SELECT max(seq)::text AS seq FROM exchange_engine_log WHERE symbol = $1",
      [symbol],
    ),
  ]);
  return {
    commands: commands.rows.map((row) => commandFromLog(row.payload)),
    lastSeq: BigInt(last.rows[0]?.seq ?? 0),
  };
}

/** The write came from a leader whose fencing token is no longer the lease's. */
export function isFencingRefusal(error: unknown): boolean {
  return (error as { code?: string }).code === "BW409";
}

/** The write found its (symbol, seq) taken: another writer got there first. */
export function isDuplicateSeq(error: unknown): boolean {
  const failure = error as { code?: string; constraint?: string };
  return failure.code === "23505" && failure.constraint === "exchange_engine_log_pkey";
}
