/**
 * @module The invariant checker on real PostgreSQL: a settled market holds every invariant;
 * a corrupted balance, a trade the engine logged but nobody settled, and a settlement with no
 * trade behind it are each found, named and counted in `invariant_violation_total`.
 */
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkInvariants } from "../../services/exchange/settlement/invariant-checker";
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

test.run();
