/**
 * @module Stuck detection (seed 004: "stuck > 7 days"): transactions whose funds have been
 * held (funds_held, contract_signed, disputed) longer than `STUCK_ESCROW_DAYS`, counted and
 * summed per amount band into `escrow_stuck_transactions{band}`, so "high-value stuck
 * transactions" is a dashboard panel and an alert rather than SQL typed during an incident;
 * and the dispute backlog, `escrow_disputes{status}`.
 */
import type { Pool } from "../kit/db";
import { amountBands, type EscrowMetrics } from "./escrow-metrics";

export interface StuckBand {
  readonly band: string;
  readonly count: number;
  readonly amount: bigint;
}

/** Count the stuck transactions per band (every band present, zero when empty). */
export async function countStuck(pool: Pool, stuckDays: number): Promise<StuckBand[]> {
  const result = await pool.query<{ amount: string }>(
    `SELECT amount::text AS amount FROM transactions
      WHERE state IN ('funds_held', 'contract_signed', 'disputed')
        AND coalesce(funds_held_at, created_at) < now() - make_interval(days => $1)`,
    [stuckDays],
  );
  const bands = amountBands.map((band) => ({ band: band.band, count: 0, amount: 0n }));
  for (const row of result.rows) {
    const amount = BigInt(row.amount);
    const index = amountBands.findIndex(
      (band) => band.belowMinor === undefined || amount < band.belowMinor,
    );
    bands[index]!.count += 1;
    bands[index]!.amount += amount;
  }
  return bands;
}

/** Recount and set the gauges (the dispute backlog with them: both are "what waits on us"). */
export async function exportStuck(pool: Pool, metrics: EscrowMetrics, stuckDays: number) {
  for (const band of await countStuck(pool, stuckDays)) {
    metrics.stuckTransactions.set({ band: band.band }, band.count);
    metrics.stuckAmount.set({ band: band.band }, Number(band.amount));
  }
  const { rows } = await pool.query<{ status: string; count: number }>(
    `SELECT status, count(*)::int AS count FROM disputes WHERE status <> 'decided' GROUP BY status`,
  );
  for (const status of ["open", "escalated"]) {
    metrics.disputes.set({ status }, rows.find((row) => row.status === status)?.count ?? 0);
  }
}
