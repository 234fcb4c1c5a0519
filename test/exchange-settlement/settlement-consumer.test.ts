/**
 * @module The settlement consumer on a real Kafka broker and PostgreSQL: every trade posts
 * once with exact balances; a replay from offset 0, twice, changes nothing; a replay posts
 * what the consumer never saw; the broker restarted mid-stream loses and doubles nothing;
 * a trade that reuses a seq is refused and counted; a malformed event stops its partition.
 */
import type { Kafka, Producer } from "kafkajs";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startSettlementConsumer } from "../../services/exchange/settlement/settlement-consumer";
import { settlementMetrics } from "../../services/exchange/settlement/settlement-metrics";
import { replaySettlement } from "../../services/exchange/settlement/settlement-replay";
import type { TradeExecuted } from "../../services/exchange/settlement/trade-executed";
import type { Pool } from "../../services/kit/db";
import { createKafka } from "../../services/kit/kafka";
import { createLogger } from "../../services/kit/logger";
import { type KafkaServer, startKafka } from "../harness/kafka";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { waitUntil } from "../harness/process";
import {
  createTradesTopic,
  exchangeBalances,
  exchangeLedger,
  expectedBalances,
  fundTrader,
  publishTrades,
  settledCount,
  trade,
} from "./exchange-ledger";

let postgres: PostgresServer;
let broker: KafkaServer;
let pool: Pool;
let kafka: Kafka;
let producer: Producer;
const registry = new Registry();
const metrics = settlementMetrics(registry);
const logger = createLogger({
  service: "exchange-settlement-test",
  replicaId: "test",
  level: "fatal",
});
let consumer: { stop(): Promise<void> } | undefined;
let start: Map<string, bigint>;
const published: TradeExecuted[] = [];
const traders = ["alice", "bob", "carol", "dave"];
const seqs = new Map<string, number>();

test.before(async () => {
  [postgres, broker] = await Promise.all([startPostgres(), startKafka()]);
  pool = await exchangeLedger(postgres);
  for (const trader of traders) {
    await fundTrader(pool, trader, "USD", 100_000_000_00n, 50_000_000_00n);
    await fundTrader(pool, trader, "BTC", 1_000_00000000n, 500_00000000n);
    await fundTrader(pool, trader, "ETH", 1_000_00000000n, 500_00000000n);
  }
  start = await exchangeBalances(pool);
  kafka = createKafka(broker.brokers, "settlement-test", logger);
  await createTradesTopic(kafka, 3);
  producer = kafka.producer();
  await producer.connect();
});

test.after(async () => {
  await consumer?.stop().catch(() => undefined);
  await producer?.disconnect().catch(() => undefined);
  await pool?.end();
  await Promise.all([broker?.stop(), postgres?.stop()]);
});

/** `count` trades spread over two symbols and four traders, with seqs that keep growing. */
function nextTrades(count: number): TradeExecuted[] {
  const trades: TradeExecuted[] = [];
  for (let index = 0; index < count; index += 1) {
    const symbol = index % 3 === 0 ? "ETH-USD" : "BTC-USD";
    const seq = (seqs.get(symbol) ?? 0) + 2;
    seqs.set(symbol, seq);
    const buyer = traders[index % 4]!;
    const seller = traders[(index + 1 + (index % 3)) % 4]!;
    trades.push(
      trade(symbol, seq, buyer, seller, BigInt(1000 + index), 4_000_000n + BigInt(index * 100)),
    );
  }
  published.push(...trades);
  return trades;
}

async function settledAll(): Promise<void> {
  await waitUntil(
    `${published.length} trades settled`,
    async () => (await settledCount(pool)) === published.length,
    { timeoutMs: 180_000 },
  );
}

function assertBalances(actual: Map<string, bigint>, expected: Map<string, bigint>): void {
  assert.equal(Object.fromEntries(actual), Object.fromEntries(expected));
}

test("every trade posts once, with the held funds paid to the other side", async () => {
  await publishTrades(producer, nextTrades(300));
  consumer = await startSettlementConsumer({ kafka, pool, logger, metrics });
  await settledAll();
  assertBalances(await exchangeBalances(pool), expectedBalances(start, published));
  const lag = await registry.getSingleMetric("settlement_lag_seconds")!.get();
  const count = lag.values.filter(
    (v) => (v as { metricName?: string }).metricName === "settlement_lag_seconds_count",
  );
  assert.is(
    count.reduce((sum, v) => sum + v.value, 0),
    300,
  );
  const consumerLag = await registry.getSingleMetric("settlement_consumer_lag")!.get();
  assert.ok(consumerLag.values.length > 0, "the consumer lag is exported per partition");
  assert.ok(
    consumerLag.values.every((v) => v.value === 0),
    "nothing is left behind",
  );
});

test("a replay from offset 0, twice, leaves every balance as it was", async () => {
  const before = await exchangeBalances(pool);
  for (let round = 0; round < 2; round += 1) {
    const result = await replaySettlement({ kafka, pool, logger, metrics }, { fromOffset: "0" });
    assert.is(result.posted, 0);
    assert.is(result.duplicates, published.length);
    assert.is(result.conflicts, 0);
    // Only the partitions holding trades are read, each from the start to its end.
    assert.ok(result.partitions.length >= 1);
    assert.ok(result.partitions.every((p) => p.fromOffset === "0" && p.toOffset !== "0"));
  }
  assertBalances(await exchangeBalances(pool), before);
  assert.is(await settledCount(pool), published.length);
});

test("a replay posts the trades the consumer never saw, and only the symbol asked for", async () => {
  await consumer?.stop();
  consumer = undefined;
  const missed = nextTrades(30);
  await publishTrades(producer, missed);
  const eth = missed.filter((t) => t.symbol === "ETH-USD").length;
  const first = await replaySettlement(
    { kafka, pool, logger, metrics },
    { fromOffset: "0", symbol: "ETH-USD" },
  );
  assert.is(first.posted, eth);
  const second = await replaySettlement({ kafka, pool, logger, metrics }, { fromOffset: "0" });
  assert.is(second.posted, missed.length - eth);
  consumer = await startSettlementConsumer({ kafka, pool, logger, metrics });
  await settledAll();
  assertBalances(await exchangeBalances(pool), expectedBalances(start, published));
});

test("the broker restarted mid-stream: nothing lost, nothing doubled", async () => {
  await publishTrades(producer, nextTrades(200));
  await broker.stop();
  await broker.start();
  // The producer retries on its own; what it could not send during the outage it sends now.
  const probe = nextTrades(1);
  await waitUntil(
    "the producer reaches the broker again",
    async () => {
      await publishTrades(producer, probe);
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 1000 },
  );
  await publishTrades(producer, nextTrades(200));
  await settledAll();
  assertBalances(await exchangeBalances(pool), expectedBalances(start, published));
});

test("a trade that reuses a settled seq is refused and counted as a duplicate seq", async () => {
  const before = await exchangeBalances(pool);
  const original = published.find((t) => t.symbol === "BTC-USD")!;
  const forged = { ...original, quantity: (BigInt(original.quantity) * 2n).toString() };
  const replayed = { ...original };
  await publishTrades(producer, [replayed, forged]);
  await waitUntil("the conflict is counted", async () => {
    const values = (await registry.getSingleMetric("invariant_violation_total")!.get()).values;
    return values.some(
      (v) => v.labels.kind === "duplicate_seq" && v.labels.symbol === "BTC-USD" && v.value === 1,
    );
  });
  assertBalances(await exchangeBalances(pool), before);
});

test("a malformed event stops its partition: the trades after it wait, nothing is guessed", async () => {
  const topic = "exchange.trades.malformed";
  await createTradesTopic(kafka, 1, topic);
  const stalled = await startSettlementConsumer({
    kafka,
    pool,
    logger,
    metrics,
    topic,
    groupId: "malformed-test",
  });
  try {
    const next = nextTrades(1)[0]!;
    published.pop();
    await producer.send({
      topic,
      messages: [
        {
          key: "BTC-USD",
          value: JSON.stringify({ type: "TradeExecuted", symbol: "BTC-USD", seq: "1" }),
        },
        {
          key: next.symbol,
          value: JSON.stringify({ ...next, seq: next.seq.toString(), fencingToken: "1" }),
        },
      ],
    });
    await waitUntil("the malformed event is counted", async () => {
      const values = (await registry.getSingleMetric("settlement_failures_total")!.get()).values;
      return values.some((v) => v.labels.reason === "invalid_event" && v.value >= 2);
    });
    assert.is(await settledCount(pool), published.length);
  } finally {
    await stalled.stop();
  }
});

test.run();
