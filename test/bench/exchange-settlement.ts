/**
 * @module `npm run bench -- exchange-settlement [--seconds N] [--rate R]`: settlement lag at a
 * sustained trade rate (default 1,000 trades/s for 20 s; target p99 <= 250 ms). Real Kafka
 * and PostgreSQL from the harness: trades are produced to `exchange.trades` (3 partitions,
 * two symbols, 20 traders) in batches every 50 ms, each stamped executedAt when sent, as the
 * engine's outbox would; the settlement consumer posts them to the kit's ledger. A trade's
 * lag is what `settlement_lag_seconds` observes: its ledger commit minus its executedAt. The
 * first 2 s (connections and the group join) are left out. Prints figures, then one JSON line.
 */
import type { Registry } from "prom-client";
import { startSettlementConsumer } from "../../services/exchange/settlement/settlement-consumer";
import { settlementMetrics } from "../../services/exchange/settlement/settlement-metrics";
import { createKafka } from "../../services/kit/kafka";
import { createLogger } from "../../services/kit/logger";
import { createMetrics } from "../../services/kit/metrics";
import {
  createTradesTopic,
  exchangeLedger,
  fundTrader,
  publishTrades,
  settledCount,
  trade,
} from "../exchange-settlement/exchange-ledger";
import { startKafka } from "../harness/kafka";
import { startPostgres } from "../harness/postgres";
import { waitUntil } from "../harness/process";
import { numberOption } from "./payments-bench-stack";

const seconds = numberOption("seconds", 20);
const rate = numberOption("rate", 1000);
const targetP99Ms = 250;
const tickMs = 50;
const warmupMs = 2000;
const traders = Array.from({ length: 20 }, (_, index) => `trader-${index}`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Record every lag the consumer observes, with the moment it was observed. */
function recordLags(registry: Registry) {
  const metrics = settlementMetrics(registry);
  const lags: { atMs: number; lagMs: number }[] = [];
  const observe = metrics.lag.observe.bind(metrics.lag);
  metrics.lag.observe = ((labels: { symbol: string }, value: number) => {
    lags.push({ atMs: performance.now(), lagMs: value * 1000 });
    observe(labels, value);
  }) as typeof metrics.lag.observe;
  return { metrics, lags };
}

async function main(): Promise<void> {
  const [postgres, broker] = await Promise.all([startPostgres(), startKafka()]);
  const pool = await exchangeLedger(postgres);
  for (const trader of traders) {
    for (const asset of ["USD", "BTC", "ETH"]) {
      await fundTrader(pool, trader, asset, 10n ** 15n, 10n ** 15n);
    }
  }
  const logger = createLogger({ service: "bench", replicaId: "bench", level: "warn" });
  const kafka = createKafka(broker.brokers, "exchange-settlement-bench", logger);
  await createTradesTopic(kafka, 3);
  const { metrics, lags } = recordLags(createMetrics().registry);
  const consumer = await startSettlementConsumer({ kafka, pool, logger, metrics });
  const producer = kafka.producer();
  await producer.connect();

  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const started = performance.now();
  let sent = 0;
  let sequence = 0;
  for (let tick = 0; performance.now() - started < seconds * 1000; tick += 1) {
    const batch = Array.from({ length: perTick }, () => {
      sequence += 1;
      const symbol = sequence % 2 === 0 ? "BTC-USD" : "ETH-USD";
      const buyer = traders[sequence % traders.length]!;
      const seller = traders[(sequence * 7 + 3) % traders.length]!;
      return trade(symbol, sequence, buyer, seller, 1000n, 3_000_000n);
    });
    await publishTrades(producer, batch);
    sent += batch.length;
    const nextMs = started + (tick + 1) * tickMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextMs - performance.now())));
  }
  const producedSeconds = (performance.now() - started) / 1000;
  await waitUntil("every trade settled", async () => (await settledCount(pool)) === sent, {
    timeoutMs: 600_000,
    intervalMs: 200,
  });
  // Trades executed in the first seconds wait for the group join: left out.
  const measured = lags
    .filter((lag) => lag.atMs - lag.lagMs - started >= warmupMs)
    .map((lag) => lag.lagMs)
    .sort((a, b) => a - b);
  const p50 = percentile(measured, 50);
  const p99 = percentile(measured, 99);
  const max = measured[measured.length - 1]!;
  const achieved = sent / producedSeconds;
  console.log(
    `trades produced: ${sent} in ${producedSeconds.toFixed(1)} s (${achieved.toFixed(0)}/s, asked ${rate}/s)`,
  );
  console.log(
    `settlement lag over ${measured.length} trades after the first ${warmupMs / 1000} s:`,
  );
  console.log(
    `  p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (target <= ${targetP99Ms} ms), max ${max.toFixed(1)} ms`,
  );
  await producer.disconnect();
  await consumer.stop();
  await pool.end();
  await Promise.all([broker.stop(), postgres.stop()]);
  console.log(
    JSON.stringify({
      bench: "exchange-settlement",
      tradesPerSecond: Math.round(achieved),
      trades: sent,
      lagMs: {
        p50: Number(p50.toFixed(1)),
        p99: Number(p99.toFixed(1)),
        max: Number(max.toFixed(1)),
      },
      targetP99Ms,
      met: p99 <= targetP99Ms && achieved >= rate * 0.95,
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`exchange-settlement bench failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
