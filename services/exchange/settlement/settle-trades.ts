/**
 * @module Posting trades to the ledger, many in one database transaction. Each trade posts
 * once under its reference `exchange-trade:<symbol>:<seq>`: a trade already posted is a
 * no-op (a replay), and one whose content differs from what was posted under its seq is a
 * conflict (two trades claim one seq: the split-brain signal) and is never posted.
 */
import { canonicalJson } from "../../kit/canonical-json";
import { type Pool, withTransaction } from "../../kit/db";
import { DuplicateReferenceError, postTransaction } from "../../kit/ledger";
import { type TradeExecuted, tradeReference } from "./trade-executed";
import { tradePosting, tradeRecord } from "./trade-posting";

export type SettlementOutcome = "posted" | "duplicate" | "conflict";

export interface SettledTrade {
  readonly trade: TradeExecuted;
  readonly outcome: SettlementOutcome;
}

/** Deadlocks between partitions (traders trade on many symbols) and races with a replay. */
const attemptsMax = 5;

/**
 * Post `trades` in one transaction, skipping those already posted. Returns one outcome per
 * trade, in order, once committed. A race with another poster of the same trade (a replay)
 * or a deadlock retries the whole batch; any other error (a hold that is short: the ledger
 * refuses it) is thrown, and nothing of the batch is posted.
 */
export async function settleTrades(
  pool: Pool,
  trades: readonly TradeExecuted[],
): Promise<SettledTrade[]> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withTransaction(pool, (tx) => settleInTransaction(tx, trades), {
        retries: 2,
      });
    } catch (error) {
      if (attempt >= attemptsMax || !(error instanceof DuplicateReferenceError)) throw error;
    }
  }
}

type Queryable = Parameters<typeof postTransaction>[0];

async function settleInTransaction(
  tx: Queryable,
  trades: readonly TradeExecuted[],
): Promise<SettledTrade[]> {
  const posted = await postedRecords(tx, trades);
  await lockBalancesInOrder(tx, trades);
  const settled: SettledTrade[] = [];
  for (const trade of trades) {
    const reference = tradeReference(trade.symbol, trade.seq);
    const record = tradeRecord(trade);
    const earlier = posted.get(reference);
    if (earlier !== undefined) {
      settled.push({ trade, outcome: earlier === record ? "duplicate" : "conflict" });
      continue;
    }
    await postTransaction(tx, tradePosting(trade));
    posted.set(reference, record);
    settled.push({ trade, outcome: "posted" });
  }
  return settled;
}

/**
 * Lock every balance the batch touches up front, in the ledger's own order. Each posting
 * locks its rows in that order too, but a batch of postings would otherwise take them in
 * trade order, and two partitions' batches (traders trade on many symbols) would deadlock.
 */
async function lockBalancesInOrder(tx: Queryable, trades: readonly TradeExecuted[]) {
  const keys = new Set<string>();
  for (const trade of trades) {
    for (const posting of tradePosting(trade).postings) {
      keys.add(`${posting.source}\u0000${posting.currency}`);
      keys.add(`${posting.target}\u0000${posting.currency}`);
    }
  }
  const pairs = [...keys].map((key) => key.split("\u0000") as [string, string]);
  await tx.query(
    `SELECT 1 FROM balances b
       JOIN unnest($1::text[], $2::text[]) AS k(account, currency)
         ON b.account = k.account AND b.currency = k.currency
      ORDER BY b.account COLLATE "C", b.currency COLLATE "C"
        FOR UPDATE OF b`,
    [pairs.map((pair) => pair[0]), pairs.map((pair) => pair[1])],
  );
}

/** The trades of this batch that are already on the ledger: reference → canonical record. */
async function postedRecords(
  tx: Queryable,
  trades: readonly TradeExecuted[],
): Promise<Map<string, string>> {
  const references = trades.map((trade) => tradeReference(trade.symbol, trade.seq));
  const result = await tx.query<{ reference: string; trade: unknown }>(
    "SELECT reference, metadata->'trade' AS trade FROM ledger_transactions WHERE reference = ANY($1::text[])",
    [references],
  );
  return new Map(result.rows.map((row) => [row.reference, canonicalJson(row.trade)]));
}
