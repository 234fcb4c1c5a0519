/**
 * @module Drill: a settlement lag spike (seed 002 §3.2, SEV2). While demo traders keep
 * trading BTC-USD, a session holds a lock on a balance row that only settlement writes (the
 * buyer's BTC, the first row a BTC-USD posting locks), eight seconds at a time, as a stuck
 * job or a forgotten `psql` session would: the settlement consumer waits at each trade, matching goes on, and
 * the trades reach the ledger seconds late. `settlement_lag_seconds` p99 passes T2,
 * ExchangeSettlementLagHigh fires and reaches Alertmanager (a ticket and the autopilot), the
 * autopilot throttles new BTC-USD orders with an OrderThrottle, both replicas refuse a burst
 * over its rate with 429 naming it, and the status page shows trading BTC-USD degraded. The
 * lock goes (the runbook's first check: PostgreSQL locks), settlement catches up, the alert
 * resolves, and the throttle stays until alice lifts it.
 *
 * The autopilot's cooldown (15 minutes per symbol) means a second run on the same platform
 * within that time misses the decision step: restart `npm start` first.
 */
import pg from "pg";
import { fixedAlertThresholds } from "../charts/alerts/fixed-thresholds";
import { runbookAlertThresholds } from "../environments/alert-thresholds";
import { alertFiring, alertResolved, alertRouted } from "./alert-steps";
import {
  enforcedEverywhere,
  lift,
  resolvedIncident,
  ruleControls,
  tradingStatus,
} from "./exchange-controls";
import { caughtUp, prometheusValue } from "./exchange-settlement";
import { type ExchangeTraders, exchangeTraders, restingBuy } from "./exchange-traders";
import type { PlatformClient } from "./platform-client";
import type { DrillRun, PlatformScenario } from "./platform-drill";

const alertname = "ExchangeSettlementLagHigh";
const throttleRule = "exchange-lag-throttle";
const symbol = "BTC-USD";
/** 50,000.00 USD for 0.001 BTC. */
const tradePrice = "5000000";
const tradeQuantity = "100000";
const lockHoldMs = 8_000;
/** More new orders than the throttle's rate (50 a second) lets through. */
const burstOrders = 80;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Demo traders trading BTC-USD (a sell, then a buy that takes it) until stopped. */
function trading(traders: ExchangeTraders) {
  let running = true;
  let trades = 0;
  const unfilled: { url: string; orderId: string }[] = [];
  const urls = traders.replicas();
  const order = { symbol, price: tradePrice, quantity: tradeQuantity };
  const loop = (async () => {
    for (let index = 0; running; index += 1) {
      const url = urls[index % urls.length]!;
      const sold = await traders.order(url, "demo-seller", { ...order, side: "sell" });
      if (sold.status === 201 && sold.body.status !== "filled")
        unfilled.push({ url, orderId: sold.body.orderId });
      const bought = await traders.order(url, "demo-buyer", { ...order, side: "buy" });
      if (bought.status === 201 && bought.body.status === "filled") trades += 1;
      await sleep(200);
    }
  })().catch(() => undefined);
  return {
    get trades() {
      return trades;
    },
    /** Stop, and cancel what a refused buy left resting (a filled order answers 409). */
    async stop() {
      running = false;
      await loop;
      for (const { url, orderId } of unfilled.splice(0))
        await traders.cancel(url, "demo-seller", orderId).catch(() => undefined);
    },
  };
}

/**
 * A session holding `FOR UPDATE` on demo-buyer's BTC balance `lockHoldMs` at a time, letting
 * settlement through for a moment between holds, until stopped.
 */
function lockingSession(platform: PlatformClient) {
  const client = new pg.Client({ connectionString: platform.state.services.exchange!.databaseUrl });
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      await client.query("BEGIN");
      await client.query(
        "SELECT amount FROM balances WHERE account = 'exchange:demo-buyer' AND currency = 'BTC' FOR UPDATE",
      );
      for (let waited = 0; running && waited < lockHoldMs; waited += 250) await sleep(250);
      await client.query("COMMIT");
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

const { lagWindow } = fixedAlertThresholds.exchange;
const t2Seconds = runbookAlertThresholds.settlementLag.t2ThrottleSeconds;
const lagP99 = `histogram_quantile(0.99, sum by (le) (rate(settlement_lag_seconds_bucket{service="exchange",symbol="${symbol}"}[${lagWindow}])))`;

async function throttleOf(platform: PlatformClient) {
  const throttles = await ruleControls(platform, "orderthrottles", throttleRule);
  return throttles.find((control) => control.spec.symbol === symbol);
}

/** `burstOrders` new orders at once, spread over the replicas (those taken are cancelled). */
async function burst(traders: ExchangeTraders) {
  const urls = traders.replicas();
  const sent = await Promise.all(
    Array.from({ length: burstOrders }, async (_, index) => {
      const url = urls[index % urls.length]!;
      return { url, answer: await traders.order(url, "demo-buyer", restingBuy(symbol)) };
    }),
  );
  for (const { url, answer } of sent)
    if (answer.status === 201) await traders.cancel(url, "demo-buyer", answer.body.orderId);
  return sent;
}

/** Over the rate, every replica refused some of a burst with 429 naming the throttle. */
async function throttledBurst(traders: ExchangeTraders): Promise<string | false> {
  const sent = await burst(traders);
  const refused = sent.filter(({ answer }) => answer.status === 429 && answer.body?.control);
  const replicas = new Set(refused.map(({ url }) => url));
  if (replicas.size < traders.replicas().length) return false;
  const { control, ticket } = refused[0]!.answer.body;
  return `${sent.length - refused.length} of ${burstOrders} taken, ${refused.length} refused 429 on ${replicas.size}/${replicas.size} replicas, naming ${control} (${ticket})`;
}

async function lagging(run: DrillRun): Promise<void> {
  const { platform } = run;
  await run.step(
    `metric: settlement_lag_seconds p99 of ${symbol} above T2 (${t2Seconds} s)`,
    async () => {
      const p99 = await prometheusValue(platform, lagP99);
      return p99 !== undefined && p99 > t2Seconds && `p99 ${p99.toFixed(1)} s over ${lagWindow}`;
    },
    { timeoutMs: 120_000, intervalMs: 2000 },
  );
  await alertFiring(run, alertname, { symbol }, { timeoutMs: 180_000, intervalMs: 2000 });
  await alertRouted(run, "Alertmanager routes it (a ticket) and to the autopilot", alertname, [
    "ticket",
    "autopilot",
  ]);
}

async function throttled(run: DrillRun, traders: ExchangeTraders) {
  const { platform } = run;
  await run.step("autopilot decided: OrderThrottle created", async () => {
    const throttle = await throttleOf(platform);
    return (
      throttle !== undefined &&
      `${throttle.metadata.name}: ${throttle.spec.rate} per ${throttle.spec.per}`
    );
  });
  await run.step("throttle enforced on every replica", async () =>
    enforcedEverywhere(platform, await throttleOf(platform)),
  );
  await run.step(`customers throttled: a burst of ${burstOrders} new orders`, () =>
    throttledBurst(traders),
  );
  await run.step(
    `status page: trading ${symbol} degraded`,
    async () =>
      (await tradingStatus(platform, symbol)) === "degraded_performance" && "degraded_performance",
  );
}

export const settlementLag: PlatformScenario = {
  name: "settlement-lag",
  playbook: "seed 002 (exchange) §3.2: Settlement lag spike",
  summary:
    "settlement held up by a database lock while trading goes on: lag past T2, alert, autopilot OrderThrottle on every replica, status page, lock gone, lag drained, lift by a person",
  async run(run) {
    const { platform } = run;
    const traders = exchangeTraders(platform);
    await run.step(`platform ready: ${symbol} trades, market operational`, async () => {
      if (await throttleOf(platform))
        throw new Error("a throttle of an earlier run exists: lift it first");
      return (
        (await tradingStatus(platform, symbol)) === "operational" &&
        (await caughtUp(platform, symbol))
      );
    });
    const market = trading(traders);
    run.undo(() => market.stop());
    const lock = lockingSession(platform);
    run.undo(() => lock.stop());
    await run.step(
      "fault injected: settlement's first balance row locked 8 s at a time",
      async () => "SELECT … FOR UPDATE on exchange:demo-buyer BTC",
    );
    await lagging(run);
    await run.step("trading goes on while settlement waits", async () => {
      const trades = market.trades;
      return trades > 0 && `${trades} trades since the fault`;
    });
    await throttled(run, traders);
    await lock.stop();
    await run.step(
      "resolution: the lock released, settlement caught up",
      () => caughtUp(platform, symbol),
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    await alertResolved(
      run,
      "alert resolved",
      alertname,
      { symbol },
      {
        timeoutMs: 300_000,
        intervalMs: 2000,
      },
    );
    await run.step("the throttle stays after the alert resolves (a person lifts it)", async () => {
      const throttle = await throttleOf(platform);
      return throttle?.status?.phase === "Applied" && `${throttle.metadata.name} still Applied`;
    });
    await market.stop();
    await lift(platform, (await throttleOf(platform))!);
    await run.step(
      `lift: alice deleted the throttle, a burst of ${burstOrders} orders all taken`,
      async () => {
        const sent = await burst(traders);
        const taken = sent.filter(({ answer }) => answer.status === 201).length;
        return taken === burstOrders && `${taken}/${burstOrders} taken`;
      },
    );
    await run.step("status page: operational again, incident in history", async () => {
      const incident = await resolvedIncident(platform, `Trading ${symbol}`);
      return (
        (await tradingStatus(platform, symbol)) === "operational" &&
        incident !== undefined &&
        incident
      );
    });
  },
};
