/**
 * @module The invariant checker on real PostgreSQL: a settled market holds every invariant;
 * a corrupted balance, a trade the engine logged but nobody settled, and a settlement with no
 * trade behind it are each found, named and counted in `invariant_violation_total`; a trade
 * whose event still waits in the outbox (a broker outage) is not, until a grace after it left.
 */
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  checkInvariants,
  type InvariantReport,
  type OutboxBacklogs,
} from "../../services/exchange/settlement/invariant-checker";
import { settleTrades } from "../../services/exchange/settlement/settle-trades";
import { settlementMetrics } from "../../services/exchange/settlement/settlement-metrics";
import type { Pool } from "../../services/kit/db";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { createEngineLog, exchangeLedger, fundTrader, logTrade, trade } from "./exchange-ledger";

let postgres: PostgresServer;
let pool: Pool;
const registry = new Registry();
const metrics = settlementMetrics(registry);

test.before(async () => {
  postgres = await startPostgres();
  pool = await exchangeLedger(postgres);
  await createEngineLog(pool);
  for (const trader of ["alice", "bob"]) {
    await fundTrader(pool, trader, "USD", 10_000_000n, 5_000_000n);
    await fundTrader(pool, trader, "BTC", 10_00000000n, 5_00000000n);
  }
});

test.after(async () => {
  await pool?.end();
  await postgres?.stop();
});

async function violationCount(kind: string, label: "asset" | "symbol", value: string) {
  const values = (await registry.getSingleMetric("invariant_violation_total")!.get()).values;
  return values.find((v) => v.labels.kind === kind && v.labels[label] === value)?.value ?? 0;
}

test("a settled market holds every invariant, and engine seq equals settled seq", async () => {
  const trades = [1, 3, 5].map((seq) => trade("BTC-USD", seq, "alice", "bob", 1000n, 3_000_000n));
  for (const t of trades) await logTrade(pool, t, 120_000);
  await settleTrades(pool, trades);
  const report = await checkInvariants(pool, metrics);
  assert.equal(report.violations, []);
  assert.ok(report.engineLogChecked);
  assert.equal(report.symbols, [{ symbol: "BTC-USD", engineSeq: "5", settledSeq: "5" }]);
});

test("a trade still within the grace is not yet a violation; past it, it is", async () => {
  const late = trade("BTC-USD", 7, "bob", "alice", 500n, 3_000_000n);
  await logTrade(pool, late, 1000);
  assert.equal((await checkInvariants(pool, metrics)).violations, []);
  const report = await checkInvariants(pool, metrics, { settleGraceMs: 0 });
  assert.equal(
    report.violations.map((v) => [v.kind, v.symbol]),
    [["unsettled_trade", "BTC-USD"]],
  );
  assert.match(report.violations[0]!.detail, /first seq 7/);
  assert.equal(report.symbols, [{ symbol: "BTC-USD", engineSeq: "7", settledSeq: "5" }]);
  assert.is(await violationCount("unsettled_trade", "symbol", "BTC-USD"), 1);
  await settleTrades(pool, [late]);
  assert.equal((await checkInvariants(pool, metrics, { settleGraceMs: 0 })).violations, []);
});

test("a settlement the engine never logged is an unknown trade", async () => {
  await settleTrades(pool, [trade("BTC-USD", 99, "alice", "bob", 100n, 3_000_000n)]);
  const report = await checkInvariants(pool, metrics);
  assert.equal(
    report.violations.map((v) => [v.kind, v.symbol]),
    [["unknown_trade", "BTC-USD"]],
  );
  await logTrade(pool, trade("BTC-USD", 99, "alice", "bob", 100n, 3_000_000n));
  assert.equal((await checkInvariants(pool, metrics)).violations, []);
});

test("a balance that no entry explains breaks balances plus holds = deposits − withdrawals", async () => {
  await pool.query(
    "UPDATE balances SET amount = amount + 1 WHERE account = 'exchange:alice:held' AND currency = 'BTC'",
  );
  const first = await checkInvariants(pool, metrics);
  assert.equal(
    first.violations.map((v) => [v.kind, v.asset]),
    [["balance_mismatch", "BTC"]],
  );
  assert.match(first.violations[0]!.detail, /deposits minus withdrawals are 2000000000/);
  await checkInvariants(pool, metrics);
  // Counted at every run while it lasts, so the alert keeps firing until someone corrects it.
  assert.is(await violationCount("balance_mismatch", "asset", "BTC"), 2);
  assert.is(await violationCount("balance_mismatch", "asset", "USD"), 0);
});

/** The settlement findings of a report (the balance test before these leaves its own). */
function trades(report: InvariantReport) {
  return report.violations.filter((v) => v.kind !== "balance_mismatch");
}

/** Queue a trade's event in the outbox as the core does, not yet published. */
async function queueTradeEvent(seq: number): Promise<void> {
  await pool.query(
    `INSERT INTO outbox (event_id, topic, key, payload)
     VALUES (gen_random_uuid(), 'exchange.trades', 'BTC-USD', jsonb_build_object('seq', $1::text))`,
    [String(seq)],
  );
}

test("a trade whose event waits in the outbox (the broker is down) gets its grace from the publish, not the log", async () => {
  const earlier = trade("BTC-USD", 101, "alice", "bob", 100n, 3_000_000n);
  const waiting = trade("BTC-USD", 103, "bob", "alice", 100n, 3_000_000n);
  await logTrade(pool, earlier, 120_000);
  await logTrade(pool, waiting, 120_000);
  await queueTradeEvent(103);
  const backlogs: OutboxBacklogs = new Map();
  // 101 left the outbox long ago and is not settled: a violation, whatever waits behind it.
  const during = await checkInvariants(pool, metrics, { outboxBacklogs: backlogs });
  assert.equal(
    trades(during).map((v) => [v.kind, v.symbol, v.detail]),
    [
      [
        "unsettled_trade",
        "BTC-USD",
        "1 trades of BTC-USD logged by the engine are not on the ledger (first seq 101)",
      ],
    ],
  );
  await settleTrades(pool, [earlier]);
  assert.equal(trades(await checkInvariants(pool, metrics, { outboxBacklogs: backlogs })), []);
  // The broker is back and the event published: the checker that saw the backlog waits a grace.
  await pool.query("UPDATE outbox SET published_at = now() WHERE payload->>'seq' = '103'");
  assert.equal(trades(await checkInvariants(pool, metrics, { outboxBacklogs: backlogs })), []);
  // A checker without that memory, or past the grace, finds it unsettled.
  const oneShot = await checkInvariants(pool, metrics);
  assert.equal(
    trades(oneShot).map((v) => [v.kind, v.detail]),
    [
      [
        "unsettled_trade",
        "1 trades of BTC-USD logged by the engine are not on the ledger (first seq 103)",
      ],
    ],
  );
  const pastGrace = await checkInvariants(pool, metrics, {
    outboxBacklogs: backlogs,
    settleGraceMs: 0,
  });
  assert.equal(
    trades(pastGrace).map((v) => v.kind),
    ["unsettled_trade"],
  );
  await settleTrades(pool, [waiting]);
  assert.equal(trades(await checkInvariants(pool, metrics, { outboxBacklogs: backlogs })), []);
});

test("an event the relay parked is not waiting for the broker: its trade stays a violation", async () => {
  const parked = trade("BTC-USD", 105, "alice", "bob", 100n, 3_000_000n);
  await logTrade(pool, parked, 120_000);
  await queueTradeEvent(105);
  await pool.query("UPDATE outbox SET parked_at = now() WHERE payload->>'seq' = '105'");
  const report = await checkInvariants(pool, metrics, { outboxBacklogs: new Map() });
  assert.equal(
    trades(report).map((v) => [v.kind, v.symbol]),
    [["unsettled_trade", "BTC-USD"]],
  );
  await settleTrades(pool, [parked]);
  assert.equal(trades(await checkInvariants(pool, metrics)), []);
});

test.run();
