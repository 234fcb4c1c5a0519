/**
 * @module The exchange's invariants (seed 002 §3.1), checked against the database as it is:
 *
 * - per asset, the traders' balances plus their holds equal deposits minus withdrawals (what
 *   the ledger's entries say moved in and out through `exchange:external`);
 * - every trade the engine logged (older than the settlement grace) is settled on the ledger,
 *   and the ledger settled no trade the engine never logged: engine seq equals settled seq.
 *
 * A trade whose event still waits in the outbox (the broker is down: seed 002 §3.5) cannot have
 * reached the ledger yet; it is the outage's alert, not a broken invariant, and the trading core
 * keeps running. Its grace restarts when the event leaves the outbox: a checker that saw a
 * symbol's backlog remembers it (`OutboxBacklogs`) for one grace, so trades published at the
 * recovery get the time to settle instead of tripping the SEV1 rules.
 *
 * Each violated invariant counts `invariant_violation_total{asset,symbol,kind}` once per run,
 * so a violation that persists keeps the counter rising and its alert firing.
 */
import type { Pool } from "../../kit/db";
import type { SettlementMetrics } from "./settlement-metrics";
import { tradesTopic } from "./trade-executed";
import { tradeTransactionKind } from "./trade-posting";

export type ViolationKind = "balance_mismatch" | "unsettled_trade" | "unknown_trade";

export interface Violation {
  readonly kind: ViolationKind;
  /** The asset of a balance mismatch, else "". */
  readonly asset: string;
  /** The symbol of a settlement mismatch, else "". */
  readonly symbol: string;
  readonly detail: string;
}

export interface SymbolProgress {
  readonly symbol: string;
  /** The seq of the engine's latest trade ("0" when none). */
  readonly engineSeq: string;
  /** The seq of the latest trade settled ("0" when none). */
  readonly settledSeq: string;
}

export interface InvariantReport {
  readonly violations: readonly Violation[];
  readonly symbols: readonly SymbolProgress[];
  /** Whether the engine's log was there to compare with (a ledger-only database has none). */
  readonly engineLogChecked: boolean;
}

export interface InvariantCheckOptions {
  /** A trade younger than this may still be on its way to the ledger. @default 60000 */
  readonly settleGraceMs?: number;
  /** Kept by a checker that runs again and again (the settlement workers): see the module. */
  readonly outboxBacklogs?: OutboxBacklogs;
}

/** Per symbol, the first trade seq seen waiting in the outbox and when a backlog was last seen. */
export type OutboxBacklogs = Map<string, { fromSeq: bigint; seenAtMs: number }>;

/** Check every invariant once, count the violations and export engine and settled seqs. */
export async function checkInvariants(
  pool: Pool,
  metrics: SettlementMetrics,
  options: InvariantCheckOptions = {},
): Promise<InvariantReport> {
  const engineLogChecked = await hasEngineLog(pool);
  const violations = [...(await balanceViolations(pool))];
  let symbols: SymbolProgress[] = [];
  if (engineLogChecked) {
    const graceMs = options.settleGraceMs ?? 60_000;
    const waiting = await waitingInOutbox(pool, graceMs, options.outboxBacklogs ?? new Map());
    violations.push(...(await settlementViolations(pool, graceMs, waiting)));
    symbols = await symbolProgress(pool);
  }
  for (const violation of violations) {
    const { asset, symbol, kind } = violation;
    metrics.invariantViolations.inc({ asset, symbol, kind });
  }
  for (const progress of symbols) {
    metrics.engineSeq.set({ symbol: progress.symbol }, Number(progress.engineSeq));
    metrics.settledSeq.set({ symbol: progress.symbol }, Number(progress.settledSeq));
  }
  metrics.invariantCheckTime.set(Date.now() / 1000);
  return { violations, symbols, engineLogChecked };
}

async function hasEngineLog(pool: Pool): Promise<boolean> {
  const result = await pool.query<{ present: boolean }>(
    "SELECT to_regclass('exchange_engine_log') IS NOT NULL AS present",
  );
  return result.rows[0]!.present;
}

/**
 * Balances (the cache every posting updates) against the entries of the external account
 * (the immutable record of deposits and withdrawals), read in one snapshot.
 */
const balancesSql = `
  WITH held AS (
    SELECT currency, sum(amount) AS amount FROM balances
     WHERE account LIKE 'exchange:%' AND account <> 'exchange:external'
     GROUP BY currency
  ), net AS (
    SELECT currency, -sum(amount) AS amount FROM ledger_entries
     WHERE account = 'exchange:external'
     GROUP BY currency
  )
  SELECT coalesce(held.currency, net.currency) AS asset,
         coalesce(held.amount, 0)::text AS held, coalesce(net.amount, 0)::text AS net
    FROM held FULL JOIN net ON held.currency = net.currency
   WHERE coalesce(held.amount, 0) <> coalesce(net.amount, 0)`;

async function balanceViolations(pool: Pool): Promise<Violation[]> {
  const result = await pool.query<{ asset: string; held: string; net: string }>(balancesSql);
  return result.rows.map((row) => ({
    kind: "balance_mismatch",
    asset: row.asset,
    symbol: "",
    detail: `traders hold ${row.held} ${row.asset} (balances plus holds), deposits minus withdrawals are ${row.net}`,
  }));
}

const pendingTradesSql = `
  SELECT key AS symbol, min((payload->>'seq')::bigint)::text AS from_seq
    FROM outbox
   WHERE topic = $1 AND published_at IS NULL AND parked_at IS NULL
   GROUP BY key`;

/**
 * The trades each symbol still has on their way out of the outbox: the backlog now, and one
 * seen within the grace (its events may have been published a moment ago). An event parked by
 * the relay is not waiting for the broker: it stays a violation until on-call re-queues it.
 */
async function waitingInOutbox(
  pool: Pool,
  graceMs: number,
  backlogs: OutboxBacklogs,
): Promise<Map<string, bigint>> {
  const now = Date.now();
  const pending = await pool.query<{ symbol: string; from_seq: string }>(pendingTradesSql, [
    tradesTopic,
  ]);
  for (const row of pending.rows) {
    const fromSeq = BigInt(row.from_seq);
    const known = backlogs.get(row.symbol);
    const recent = known && now - known.seenAtMs < graceMs;
    backlogs.set(row.symbol, {
      fromSeq: recent && known.fromSeq < fromSeq ? known.fromSeq : fromSeq,
      seenAtMs: now,
    });
  }
  const waiting = new Map<string, bigint>();
  for (const [symbol, backlog] of backlogs) {
    if (now - backlog.seenAtMs < graceMs) waiting.set(symbol, backlog.fromSeq);
    else backlogs.delete(symbol);
  }
  return waiting;
}

const unsettledSql = `
  SELECT l.symbol, count(*)::text AS count, min(l.seq)::text AS first
    FROM exchange_engine_log l
    LEFT JOIN ledger_transactions t ON t.reference = 'exchange-trade:' || l.symbol || ':' || l.seq
    LEFT JOIN unnest($2::text[], $3::bigint[]) AS w(symbol, from_seq) ON w.symbol = l.symbol
   WHERE l.kind = 'TradeExecuted' AND l.appended_at < now() - make_interval(secs => $1)
     AND t.id IS NULL AND (w.from_seq IS NULL OR l.seq < w.from_seq)
   GROUP BY l.symbol`;

const unknownSql = `
  SELECT t.metadata->>'symbol' AS symbol, count(*)::text AS count, min(t.reference) AS first
    FROM ledger_transactions t
   WHERE t.kind = '${tradeTransactionKind}'
     AND NOT EXISTS (SELECT 1 FROM exchange_engine_log l
                      WHERE l.symbol = t.metadata->>'symbol'
                        AND l.seq = (t.metadata->>'seq')::bigint AND l.kind = 'TradeExecuted')
   GROUP BY 1`;

async function settlementViolations(
  pool: Pool,
  graceMs: number,
  waiting: ReadonlyMap<string, bigint>,
): Promise<Violation[]> {
  const [unsettled, unknown] = await Promise.all([
    pool.query<{ symbol: string; count: string; first: string }>(unsettledSql, [
      graceMs / 1000,
      [...waiting.keys()],
      [...waiting.values()].map(String),
    ]),
    pool.query<{ symbol: string; count: string; first: string }>(unknownSql),
  ]);
  return [
    ...unsettled.rows.map((row) => ({
      kind: "unsettled_trade" as const,
      asset: "",
      symbol: row.symbol,
      detail: `${row.count} trades of ${row.symbol} logged by the engine are not on the ledger (first seq ${row.first})`,
    })),
    ...unknown.rows.map((row) => ({
      kind: "unknown_trade" as const,
      asset: "",
      symbol: row.symbol,
      detail: `${row.count} trades of ${row.symbol} settled on the ledger are not in the engine's log (first ${row.first})`,
    })),
  ];
}

const progressSql = `
  WITH engine AS (
    SELECT symbol, max(seq) AS seq FROM exchange_engine_log WHERE kind = 'TradeExecuted' GROUP BY symbol
  ), settled AS (
    SELECT metadata->>'symbol' AS symbol, max((metadata->>'seq')::bigint) AS seq
      FROM ledger_transactions WHERE kind = '${tradeTransactionKind}' GROUP BY 1
  )
  SELECT coalesce(engine.symbol, settled.symbol) AS symbol,
         coalesce(engine.seq, 0)::text AS engine_seq, coalesce(settled.seq, 0)::text AS settled_seq
    FROM engine FULL JOIN settled ON engine.symbol = settled.symbol
   ORDER BY 1`;

async function symbolProgress(pool: Pool): Promise<SymbolProgress[]> {
  const result = await pool.query<{ symbol: string; engine_seq: string; settled_seq: string }>(
    progressSql,
  );
  return result.rows.map((row) => ({
    symbol: row.symbol,
    engineSeq: row.engine_seq,
    settledSeq: row.settled_seq,
  }));
}
