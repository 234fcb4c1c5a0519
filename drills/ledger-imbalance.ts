/**
 * @module Drill: a ledger out of balance (seed 000, "Reconciliation Incident Handling": if
 * `ledger_imbalance_total` increments, freeze payouts). The BTC books are changed behind the
 * service's back; reconciliation counts it, PaymentsLedgerImbalance fires and pages, the
 * autopilot halts BTC payouts, every replica refuses them while ETH still pays, the status
 * page says so; the books are corrected, the alert resolves and the halt stays, until a
 * person lifts it and payouts and the page recover.
 *
 * The autopilot's cooldown (30 minutes per currency) means a second run on the same
 * platform within that time misses the decision step: restart `npm start` first.
 */

import { alertFiring, alertResolved, alertRouted, oncallPaged } from "./alert-steps";
import type { PlatformClient } from "./platform-client";
import type { DrillRun, PlatformScenario } from "./platform-drill";

const currency = "BTC";
const other = "ETH";
const alertname = "PaymentsLedgerImbalance";
const haltName = "payments-ledger-imbalance-btc";
const component = "payouts:btc";
const delta = 7;

function tamper(platform: PlatformClient, amount: number) {
  return platform.sql(
    "payments",
    "UPDATE balances SET amount = amount + $1 WHERE account = $2 AND currency = $3",
    [amount, `users:treasury:${currency.toLowerCase()}`, currency],
  );
}

/** Every replica answers a payout in `code` with `status`; the statuses seen otherwise. */
async function everyReplica(
  platform: PlatformClient,
  code: string,
  status: number,
): Promise<string | false> {
  const answers = await Promise.all(
    platform.replicas("payments").map((url) => platform.payout(url, code)),
  );
  if (answers.every((answer) => answer.status === status)) {
    const named = answers[0]!.body?.control
      ? `, naming ${answers[0]!.body.control} (${answers[0]!.body.ticket})`
      : "";
    return `${answers.length}/${answers.length} replicas answer ${status}${named}`;
  }
  return false;
}

async function componentStatus(platform: PlatformClient, id: string): Promise<string | undefined> {
  const summary = await platform.statusSummary();
  return (summary.body.components as { id: string; status: string }[]).find(
    (item) => item.id === id,
  )?.status;
}

async function firingAndPaged(run: DrillRun): Promise<void> {
  await alertFiring(run, alertname, { currency }, { timeoutMs: 120_000 });
  await alertRouted(run, "Alertmanager routes it to the pager and the autopilot", alertname, []);
  await oncallPaged(run, alertname);
}

async function haltEnforced(run: DrillRun): Promise<void> {
  const { platform } = run;
  await run.step("autopilot decided: WithdrawalHalt created", async () => {
    const halt = await platform.resource(`withdrawalhalt/${haltName}`, "payments");
    return halt !== undefined && `${halt.metadata.name} by ${halt.spec.requestedBy}`;
  });
  await run.step("halt enforced on every replica", async () => {
    const halt = await platform.resource(`withdrawalhalt/${haltName}`, "payments");
    const enforced = halt?.status?.conditions?.some(
      (condition: { type: string; status: string }) =>
        condition.type === "Enforced" && condition.status === "True",
    );
    const replicas = platform.replicas("payments").length;
    const enforcement = halt?.status?.enforcement;
    return (
      enforced &&
      enforcement?.acknowledged === replicas &&
      enforcement?.live === replicas &&
      `${enforcement.summary} replicas`
    );
  });
  await run.step(`customers refused: ${currency} payouts 423 on every replica`, () =>
    everyReplica(platform, currency, 423),
  );
  await run.step(`customers unaffected: ${other} payouts still paid`, () =>
    everyReplica(platform, other, 201),
  );
  await run.step("status page: payouts in BTC affected", async () => {
    const summary = (await platform.statusSummary()).body;
    const incident = (
      summary.incidents as { name: string; incident_updates: { body: string }[] }[]
    )[0];
    return (
      (await componentStatus(platform, component)) === "major_outage" &&
      incident !== undefined &&
      `"${incident.incident_updates[0]!.body}"`
    );
  });
}

export const ledgerImbalance: PlatformScenario = {
  name: "ledger-imbalance",
  playbook: "seed 000 (payments): Reconciliation Incident Handling",
  summary:
    "BTC books out of balance: alert, page, autopilot halt of BTC payouts, status page, correction, lift by a person",
  async run(run) {
    const { platform } = run;
    await run.step("platform ready: BTC payouts flow, status page operational", async () => {
      const existing = await platform.resource(`withdrawalhalt/${haltName}`, "payments");
      if (existing) throw new Error(`${haltName} already exists: lift it first`);
      return (
        (await componentStatus(platform, component)) === "operational" &&
        everyReplica(platform, currency, 201)
      );
    });
    const before = await platform.metricSum("payments", "ledger_imbalance_total", { currency });
    await tamper(platform, delta);
    let corrected = false;
    run.undo(async () => {
      if (!corrected) await tamper(platform, -delta);
    });
    await run.step(
      `fault injected: ${currency} balances off by ${delta}`,
      async () => "UPDATE balances in payments' database",
    );
    await run.step('metric: ledger_imbalance_total{currency="BTC"} increments', async () => {
      const now = await platform.metricSum("payments", "ledger_imbalance_total", { currency });
      return now > before && `${before} → ${now}`;
    });
    await firingAndPaged(run);
    await haltEnforced(run);
    await tamper(platform, -delta);
    corrected = true;
    await alertResolved(
      run,
      "resolution: books corrected, alert resolved",
      alertname,
      { currency },
      {
        timeoutMs: 240_000,
        intervalMs: 1000,
      },
    );
    await run.step(
      "the halt stays after the alert resolves (a person lifts it)",
      async () => {
        const halt = await platform.resource(`withdrawalhalt/${haltName}`, "payments");
        const resolvedAt =
          halt?.metadata?.annotations?.["autopilot.ops.breakwater.dev/alert-resolved-at"];
        return (
          resolvedAt !== undefined &&
          halt.status?.phase === "Applied" &&
          `resolved at ${resolvedAt}, still Applied`
        );
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    await platform.kubectl("alice", [
      "delete",
      `withdrawalhalt/${haltName}`,
      "-n",
      "payments",
      "--timeout=60s",
    ]);
    await run.step("lift: alice deleted the halt, BTC payouts flow on every replica", () =>
      everyReplica(platform, currency, 201),
    );
    await run.step("status page: operational again, incident in history", async () => {
      const history = (await platform.statusIncidents()).body;
      const resolved = (history.incidents as { status: string; name: string }[]).find(
        (incident) => incident.status === "resolved" && incident.name.includes("BTC"),
      );
      return (
        (await componentStatus(platform, component)) === "operational" &&
        resolved !== undefined &&
        resolved.name
      );
    });
  },
};
