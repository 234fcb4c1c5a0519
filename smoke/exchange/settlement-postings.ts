/**
 * @module What settlement appended for a trade, read from the exchange's PostgreSQL: the
 * engine log's `TradeExecuted` of an order, and the ledger postings of its transaction
 * `exchange-trade:<symbol>:<seq>` once the settlement consumer wrote them.
 */
import type { Pool } from "../../services/kit/db";

export interface Posting {
  readonly account: string;
  readonly currency: string;
  readonly amount: string;
}

export interface SettledTrade {
  readonly seq: string;
  readonly reference: string;
  readonly postings: readonly Posting[];
}

/** The engine seq of the trade in which the buy order `buyOrderId` took part, or undefined. */
export async function tradeSeqOf(
  pool: Pool,
  symbol: string,
  buyOrderId: string,
): Promise<string | undefined> {
  const { rows } = await pool.query<{ seq: string }>(
    `SELECT seq::text AS seq FROM exchange_engine_log
      WHERE symbol = $1 AND kind = 'TradeExecuted' AND payload->'buyer'->>'orderId' = $2
      ORDER BY seq LIMIT 1`,
    [symbol, buyOrderId],
  );
  return rows[0]?.seq;
}

/** The postings of trade `seq` of `symbol`; empty while it is not settled yet. */
export async function tradePostings(
  pool: Pool,
  symbol: string,
  seq: string,
): Promise<SettledTrade> {
  const reference = `exchange-trade:${symbol}:${seq}`;
  const { rows } = await pool.query<Posting>(
    `SELECT e.account, e.currency, e.amount::text AS amount
       FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id
      WHERE t.reference = $1 ORDER BY e.id`,
    [reference],
  );
  return { seq, reference, postings: rows };
}
