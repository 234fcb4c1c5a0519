/**
 * @module End to end in a real Prometheus: the rules built from the definitions, evaluated
 * against the scrape of a real payments replica, all evaluate without error, stay quiet while
 * the ledger is exact, and `PaymentsLedgerImbalance` fires — with its currency, severity and
 * runbook — once a balance is tampered with and reconciliation finds it.
 */

import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stringify } from "yaml";
import { ruleFileOf } from "../../charts/alerts/alert-group";
import { alertGroups } from "../../charts/alerts/catalog";
import { loadEnvironment } from "../../environments";
import { makeTempDir } from "../harness/process";
import { type MonitoringServer, startPrometheus } from "../harness/prometheus";
import {
  eventually,
  fundedWallet,
  type PaymentsFixture,
  type PaymentsReplica,
  startPaymentsFixture,
} from "../payments/payments-fixture";

interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}

interface RuleStatus {
  name: string;
  health: string;
  lastError?: string;
  lastEvaluation: string;
}

const environment = loadEnvironment("prod");
const groups = alertGroups(environment);
let fixture: PaymentsFixture;
let replica: PaymentsReplica;
let prometheus: MonitoringServer;

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${prometheus.url}${path}`);
  const body = (await response.json()) as { status: string; data: T };
  assert.is(body.status, "success", path);
  return body.data;
}

async function ledgerAlerts(): Promise<PrometheusAlert[]> {
  const { alerts } = await api<{ alerts: PrometheusAlert[] }>("/api/v1/alerts");
  return alerts.filter((alert) => alert.labels.alertname === "PaymentsLedgerImbalance");
}

async function scraped(): Promise<boolean> {
  const data = await api<{ result: unknown[] }>(
    `/api/v1/query?query=${encodeURIComponent('worker_runs_total{worker="reconciliation",result="success"} > 1')}`,
  );
  return data.result.length > 0;
}

test.before(async () => {
  fixture = await startPaymentsFixture();
  replica = await fixture.startReplica({ RECONCILIATION_INTERVAL_MS: "500" });
  const rulesPath = join(makeTempDir("alerts-fire"), "rules.yaml");
  writeFileSync(rulesPath, stringify(ruleFileOf(groups)));
  prometheus = await startPrometheus({
    rulesFiles: [rulesPath],
    scrapeTargets: [new URL(replica.url).host],
    interval: "1s",
  });
});

test.after(async () => {
  await prometheus?.stop();
  await fixture?.stop();
});

test("every rule evaluates without error against the real service's series", async () => {
  await eventually("two reconciliation runs scraped", scraped, 30_000);
  const names = groups.flatMap((group) => group.rules.map((rule) => rule.name));
  const rules = await eventually(
    "every rule evaluated",
    async () => {
      const data = await api<{ groups: { rules: RuleStatus[] }[] }>("/api/v1/rules?type=alert");
      const all = data.groups.flatMap((group) => group.rules);
      const evaluated = all.filter((rule) => !rule.lastEvaluation.startsWith("0001"));
      return evaluated.length === names.length ? all : undefined;
    },
    30_000,
  );
  assert.equal(rules.map((rule) => rule.name).sort(), [...names].sort());
  for (const rule of rules) assert.is(rule.health, "ok", `${rule.name}: ${rule.lastError}`);
  assert.equal(await ledgerAlerts(), [], "no imbalance while the ledger is exact");
});

test("PaymentsLedgerImbalance fires when reconciliation finds a tampered balance", async () => {
  const wallet = `users:${randomUUID()}:wallet`;
  await fundedWallet(replica.url, wallet, 100n);
  await fixture.pool.query(
    "UPDATE balances SET amount = amount + 7 WHERE account = $1 AND currency = 'USD'",
    [wallet],
  );
  const [alert] = await eventually(
    "PaymentsLedgerImbalance firing",
    async () => {
      const alerts = await ledgerAlerts();
      return alerts.some((candidate) => candidate.state === "firing") ? alerts : undefined;
    },
    30_000,
  );
  assert.ok(alert);
  assert.is(alert.labels.currency, "USD");
  assert.is(alert.labels.service, "payments");
  assert.is(alert.labels.severity, "critical");
  assert.match(
    alert.annotations.runbook_url!,
    /\/runbooks\/payments\/PaymentsLedgerImbalance\.md$/,
  );
  assert.match(alert.annotations.description!, "found the USD ledger out of balance");
  await fixture.pool.query(
    "UPDATE balances SET amount = amount - 7 WHERE account = $1 AND currency = 'USD'",
    [wallet],
  );
});

test.run();
