/**
 * @module Drill: a ledger invariant violation on the exchange (seed 002 §3.1, SEV1). A BTC
 * balance is changed behind the service's back, so the traders' BTC no longer equals deposits
 * minus withdrawals; the invariant checker counts `invariant_violation_total` (an asset, no
 * symbol: the scope is unknown), ExchangeInvariantViolation fires and pages, and the autopilot
 * applies the playbook's immediate actions as the policy says: a WithdrawalHalt of the
 * exchange (mandatory) and a Global SOFT_HALT. Both replicas refuse withdrawals and new orders
 * and still take cancels; the status page shows every market unavailable. On call takes the
 * forensic bundle, corrects the books as the runbook says for corruption (the balance rebuilt
 * from its ledger entries), the alert resolves and the controls stay until alice lifts them.
 *
 * The autopilot's cooldown (30 minutes per target) means a second run on the same platform
 * within that time misses the decision step: restart `npm start` first.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { alertFiring, alertResolved, alertRouted, oncallPaged } from "./alert-steps";
import {
  type ControlResource,
  enforcedEverywhere,
  lift,
  resolvedIncident,
  ruleControls,
  tradingStatus,
} from "./exchange-controls";
import {
  type ExchangeTraders,
  everyExchangeReplica,
  exchangeTraders,
  ordersTaken,
  restingBuy,
} from "./exchange-traders";
import type { PlatformClient } from "./platform-client";
import type { DrillRun, PlatformScenario } from "./platform-drill";

const exec = promisify(execFile);
const alertname = "ExchangeInvariantViolation";
const asset = "BTC";
const trader = "demo-buyer";
const account = `exchange:${trader}`;
const symbols = ["BTC-USD", "ETH-USD"] as const;
const haltRule = "exchange-invariant-withdrawals";
const modeRule = "exchange-invariant-global-halt";
const delta = 7;

const violations = (platform: PlatformClient) =>
  platform.metricSum("exchange", "invariant_violation_total", {
    asset,
    kind: "balance_mismatch",
  });

/** The controls the autopilot made for this incident, once both exist. */
async function autopilotControls(platform: PlatformClient) {
  const [halt] = await ruleControls(platform, "withdrawalhalts", haltRule);
  const [mode] = await ruleControls(platform, "symbolmodes", modeRule);
  return { halt, mode };
}

async function tamper(platform: PlatformClient): Promise<void> {
  await platform.sql(
    "exchange",
    "UPDATE balances SET amount = amount + $1 WHERE account = $2 AND currency = $3",
    [delta, account, asset],
  );
}

/** The runbook's remedy for corruption: the balance rebuilt from its immutable entries. */
async function rebuildBalance(platform: PlatformClient): Promise<number> {
  const result = await platform.sql(
    "exchange",
    `UPDATE balances b SET amount = coalesce(
       (SELECT sum(e.amount) FROM ledger_entries e WHERE e.account = b.account AND e.currency = b.currency), 0)
     WHERE account = $1 AND currency = $2`,
    [account, asset],
  );
  return result.rowCount ?? 0;
}

async function ready(run: DrillRun, traders: ExchangeTraders): Promise<string> {
  const { platform } = run;
  await run.step("platform ready: orders and withdrawals pass, markets operational", async () => {
    const { halt, mode } = await autopilotControls(platform);
    if (halt || mode) throw new Error("controls of an earlier run exist: lift them first");
    for (const symbol of symbols)
      if ((await tradingStatus(platform, symbol)) !== "operational") return false;
    return (
      (await ordersTaken(traders, trader, "BTC-USD")) &&
      everyExchangeReplica(traders, 201, (url) => traders.withdraw(url, trader, "USD"))
    );
  });
  const order = await traders.order(traders.replicas()[0]!, trader, restingBuy("BTC-USD"));
  if (order.status !== 201) throw new Error(`a resting order answered ${order.status}`);
  return order.body.orderId as string;
}

async function alerted(run: DrillRun): Promise<void> {
  await alertFiring(run, alertname, { asset }, { timeoutMs: 120_000, shown: ["kind", "scope"] });
  await alertRouted(run, "Alertmanager routes it to the pager and the autopilot", alertname, [
    "pager",
    "autopilot",
  ]);
  await oncallPaged(run, alertname);
}

async function enforced(run: DrillRun, traders: ExchangeTraders, resting: string) {
  const { platform } = run;
  await run.step("autopilot decided: WithdrawalHalt and Global SOFT_HALT created", async () => {
    const { halt, mode } = await autopilotControls(platform);
    return (
      halt !== undefined &&
      mode?.spec.mode === "SOFT_HALT" &&
      mode.spec.scope === "Global" &&
      `${halt.metadata.name}, ${mode.metadata.name}`
    );
  });
  const { halt, mode } = await autopilotControls(platform);
  await run.step("halt enforced on every replica", async () => {
    const [current] = await ruleControls(platform, "withdrawalhalts", haltRule);
    return enforcedEverywhere(platform, current);
  });
  await run.step("SOFT_HALT enforced on every replica", async () => {
    const [current] = await ruleControls(platform, "symbolmodes", modeRule);
    return enforcedEverywhere(platform, current);
  });
  await run.step("customers refused: withdrawals 423 on every replica", () =>
    everyExchangeReplica(traders, 423, (url) => traders.withdraw(url, trader, "USD")),
  );
  for (const symbol of symbols)
    await run.step(`customers refused: new ${symbol} orders 423 on every replica`, () =>
      everyExchangeReplica(traders, 423, (url) => traders.order(url, trader, restingBuy(symbol))),
    );
  const [last] = traders.replicas().slice(-1);
  await run.step("cancels still accepted (SOFT_HALT)", async () => {
    const answer = await traders.cancel(last!, trader, resting);
    return answer.status === 200 && `order ${resting} cancelled through ${last}`;
  });
  await run.step("status page: every market unavailable", async () => {
    const statuses = await Promise.all(symbols.map((symbol) => tradingStatus(platform, symbol)));
    return statuses.every((status) => status === "major_outage") && statuses.join(", ");
  });
  return [halt!, mode!];
}

async function forensicBundle(platform: PlatformClient): Promise<string> {
  const directory = mkdtempSync(join(tmpdir(), "breakwater-forensics-"));
  await exec("npm", ["run", "--silent", "forensics", "--", "exchange"], {
    env: {
      ...process.env,
      DATABASE_URL: platform.state.services.exchange!.databaseUrl,
      KAFKA_BROKERS: platform.state.endpoints.kafka,
      FORENSICS_DIR: directory,
    },
    timeout: 120_000,
  });
  return `${readdirSync(directory).length} files in ${directory}`;
}

async function resolved(run: DrillRun, controls: ControlResource[]): Promise<void> {
  const { platform } = run;
  await alertResolved(
    run,
    "resolution: books corrected, alert resolved",
    alertname,
    { asset },
    {
      timeoutMs: 480_000,
      intervalMs: 2000,
    },
  );
  await run.step(
    "the controls stay after the alert resolves (a person lifts them)",
    async () => {
      const { halt, mode } = await autopilotControls(platform);
      return (
        [halt, mode].every(
          (control) =>
            control?.status?.phase === "Applied" &&
            control.metadata.annotations?.["autopilot.ops.breakwater.dev/alert-resolved-at"],
        ) && `${controls.length} controls still Applied`
      );
    },
    { timeoutMs: 120_000, intervalMs: 1000 },
  );
}

export const invariantViolation: PlatformScenario = {
  name: "invariant-violation",
  playbook: "seed 002 (exchange) §3.1: Ledger invariant violation",
  summary:
    "BTC books changed behind the exchange: invariant violation, page, autopilot halt of withdrawals and global SOFT_HALT, status page, forensic bundle, correction, lift by a person",
  async run(run) {
    const { platform } = run;
    const traders = exchangeTraders(platform);
    const resting = await ready(run, traders);
    run.undo(async () => void (await traders.cancel(traders.replicas()[0]!, trader, resting)));
    const before = await violations(platform);
    await tamper(platform);
    let corrected = false;
    run.undo(async () => {
      if (!corrected) await rebuildBalance(platform);
    });
    await run.step(
      `fault injected: ${asset} of ${account} off by ${delta}`,
      async () => "UPDATE balances in the exchange's database",
    );
    await run.step(
      `metric: invariant_violation_total{asset="${asset}",kind="balance_mismatch"} increments`,
      async () => {
        const now = await violations(platform);
        return now > before && `${before} → ${now}`;
      },
    );
    await alerted(run);
    const controls = await enforced(run, traders, resting);
    await run.step("forensic bundle written (npm run forensics -- exchange)", () =>
      forensicBundle(platform),
    );
    corrected = (await rebuildBalance(platform)) === 1;
    await run.step(
      `books corrected: ${account} ${asset} rebuilt from its ledger entries`,
      async () => corrected && "UPDATE balances from ledger_entries",
    );
    await resolved(run, controls);
    for (const control of controls) await lift(platform, control);
    await run.step(
      "lift: alice deleted both, orders and withdrawals pass on every replica",
      async () => {
        const orders = await ordersTaken(traders, trader, "ETH-USD");
        const withdrawals = await everyExchangeReplica(traders, 201, (url) =>
          traders.withdraw(url, trader, "USD"),
        );
        return orders && withdrawals && `orders: ${orders}; withdrawals: ${withdrawals}`;
      },
    );
    await run.step("status page: operational again, incident in history", async () => {
      const statuses = await Promise.all(symbols.map((symbol) => tradingStatus(platform, symbol)));
      const incident = await resolvedIncident(platform, "Trading");
      return (
        statuses.every((status) => status === "operational") && incident !== undefined && incident
      );
    });
  },
};
