/**
 * @module What the settlement tests and benchmark share: a PostgreSQL database with the
 * kit's ledger, the exchange's accounts as the trading core leaves them (deposits from
 * `exchange:external`, funds moved to `exchange:<id>:held` by resting orders), trades as the
 * engine publishes them, and the balances a list of trades must leave.
 */
import type { Kafka, Producer } from "kafkajs";
import type { TradeExecuted } from "../../services/exchange/settlement/trade-executed";
import { tradesTopic } from "../../services/exchange/settlement/trade-executed";
import { createPool, type Pool, withTransaction } from "../../services/kit/db";
import { createAccount, postTransaction } from "../../services/kit/ledger";
import { migrate } from "../../services/kit/migrations";
import type { PostgresServer } from "../harness/postgres";

/** A fresh database (or the one at a URL) with the kit's tables and the ledger, and the exchange's external account. */
export async function exchangeLedger(postgres: PostgresServer | string): Promise<Pool> {
  const url = typeof postgres === "string" ? postgres : await postgres.createDatabase();
  const pool = createPool(url, undefined, { max: 8 });
  await migrate(pool, "exchange", undefined, { ledger: true });
  await pool.query(
    "INSERT INTO accounts (name, type) VALUES ('exchange:external', 'external') ON CONFLICT DO NOTHING",
  );
  return pool;
}

/** Deposit `amount` of `asset` to a trader and hold `held` of it, as resting orders would. */
export async function fundTrader(
  pool: Pool,
  trader: string,
  asset: string,
  amount: bigint,
  held: bigint,
): Promise<void> {
  await createAccount(pool, { name: `exchange:${trader}`, type: "user" });
  await createAccount(pool, { name: `exchange:${trader}:held`, type: "user" });
  await withTransaction(pool, async (tx) => {
    await postTransaction(tx, {
      kind: "exchange_deposit",
      reference: `exchange-deposit:${trader}:${asset}:${amount}:${held}`,
      postings: [
        { source: "exchange:external", target: `exchange:${trader}`, amount, currency: asset },
        {
          source: `exchange:${trader}`,
          target: `exchange:${trader}:held`,
          amount: held,
          currency: asset,
        },
      ],
    });
  });
}

/** A trade on `symbol` at `seq`: `quantity` base units at `price` quote per whole base (8 decimals). */
export function trade(
  symbol: string,
  seq: number,
  buyer: string,
  seller: string,
  quantity: bigint,
  price: bigint,
): TradeExecuted {
  return {
    type: "TradeExecuted",
    symbol,
    seq: BigInt(seq),
    fencingToken: 1n,
    price: price.toString(),
    quantity: quantity.toString(),
    quoteAmount: ((price * quantity) / 100_000_000n).toString(),
    buyer: { trader: buyer, orderId: `o-${seq}-b` },
    seller: { trader: seller, orderId: `o-${seq}-s` },
    takerSide: seq % 2 === 0 ? "buy" : "sell",
    executedAt: new Date().toISOString(),
  };
}

/** The event on the wire: bigints as strings, as the engine's outbox writes them. */
export function tradeJson(value: TradeExecuted): string {
  return JSON.stringify({
    ...value,
    seq: value.seq.toString(),
    fencingToken: value.fencingToken.toString(),
  });
}

/** Publish trades to `exchange.trades` keyed by symbol, as the outbox relay does. */
export async function publishTrades(
  producer: Producer,
  trades: readonly TradeExecuted[],
  topic = tradesTopic,
): Promise<void> {
  await producer.send({
    topic,
    messages: trades.map((t) => ({ key: t.symbol, value: tradeJson(t) })),
  });
}

/** Create the trades topic with `partitions` partitions. */
export async function createTradesTopic(kafka: Kafka, partitions: number, topic = tradesTopic) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: partitions }],
    waitForLeaders: true,
  });
  await admin.disconnect();
}

/** Every exchange balance: `account currency` → amount. */
export async function exchangeBalances(pool: Pool): Promise<Map<string, bigint>> {
  const result = await pool.query<{ account: string; currency: string; amount: string }>(
    "SELECT account, currency, amount::text FROM balances WHERE account LIKE 'exchange:%' ORDER BY 1, 2",
  );
  return new Map(result.rows.map((row) => [`${row.account} ${row.currency}`, BigInt(row.amount)]));
}

/** The balances `trades` must leave on top of `start` (held funds paid out to the other side). */
export function expectedBalances(
  start: ReadonlyMap<string, bigint>,
  trades: readonly TradeExecuted[],
): Map<string, bigint> {
  const expected = new Map(start);
  const add = (key: string, delta: bigint) => expected.set(key, (expected.get(key) ?? 0n) + delta);
  for (const t of trades) {
    const [base, quote] = t.symbol.split("-") as [string, string];
    add(`exchange:${t.buyer.trader}:held ${quote}`, -BigInt(t.quoteAmount));
    add(`exchange:${t.seller.trader} ${quote}`, BigInt(t.quoteAmount));
    add(`exchange:${t.seller.trader}:held ${base}`, -BigInt(t.quantity));
    add(`exchange:${t.buyer.trader} ${base}`, BigInt(t.quantity));
  }
  return expected;
}

/** How many trades the ledger holds. */
export async function settledCount(pool: Pool): Promise<number> {
  const result = await pool.query<{ count: string }>(
    "SELECT count(*) FROM ledger_transactions WHERE kind = 'exchange_trade'",
  );
  return Number(result.rows[0]!.count);
}

/**
 * The engine's log as the exchange contract defines it (the trading core's migration owns it;
 * the settlement's tests need only its columns), and a logged trade.
 */
export async function createEngineLog(pool: Pool): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS exchange_engine_log (
    symbol text NOT NULL, seq bigint NOT NULL, fencing_token bigint NOT NULL, kind text NOT NULL,
    payload jsonb NOT NULL, appended_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (symbol, seq))`);
}

/** Log `value` in the engine's log, appended `ageMs` ago. */
export async function logTrade(pool: Pool, value: TradeExecuted, ageMs = 0): Promise<void> {
  await pool.query(
    `INSERT INTO exchange_engine_log (symbol, seq, fencing_token, kind, payload, appended_at)
     VALUES ($1, $2, $3, 'TradeExecuted', $4, now() - make_interval(secs => $5))`,
    [
      value.symbol,
      value.seq.toString(),
      value.fencingToken.toString(),
      tradeJson(value),
      ageMs / 1000,
    ],
  );
}
