/**
 * @module Every metric an alert or a dashboard reads is one a service exports: the real
 * payments, purchasing, escrow and exchange edge services (PostgreSQL and Redis from the harness, purchasing's
 * providers as real HTTP servers) are exercised until their labelled series exist, the real operator (a real API server, enforcing a WithdrawalHalt on that
 * payments replica and comparing its controls) is scraped, and the names (and matcher labels)
 * parsed out of every alert expression and dashboard query must appear in what they serve.
 */
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { alertGroups } from "../../charts/alerts/catalog";
import {
  type Exposition,
  exportedMetrics,
  metricNamesIn,
  selectorLabelsIn,
} from "../../charts/alerts/metric-names";
import { upstreamMetrics } from "../../charts/alerts/upstream-metrics";
import { dashboards } from "../../charts/dashboards/catalog";
import { dashboardQueries } from "../../charts/dashboards/dashboard-definition";
import { loadAllEnvironments } from "../../environments";
import { createAutopilotMetrics } from "../../operators/autopilot/metrics";
import type { RunningOperator } from "../../operators/operator";
import { type EscrowFixture, startEscrowFixture } from "../escrow/escrow-fixture";
import { type ExchangeFixture, startExchangeFixture } from "../exchange/exchange-fixture";
import { type EdgeFixture, startEdgeFixture } from "../exchange-edge/edge-fixture";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { installControls, kubectlOk, withdrawalHaltYaml } from "../operator/cluster";
import {
  createTokenSecret,
  startOperatorInProcess,
  writeTargets,
} from "../operator/operator-runner";
import {
  adminToken,
  asAdmin,
  call,
  fundedWallet,
  type PaymentsFixture,
  startPaymentsFixture,
} from "../payments/payments-fixture";
import {
  asUser,
  cronSecret,
  fundWallet,
  type PurchasingFixture,
  purchase,
  startPurchasingFixture,
} from "../purchasing/purchasing-fixture";

/** Labels the Prometheus scrape adds (ServiceMonitor target labels), not the exporter. */
const scrapeLabels = new Set(["namespace", "pod", "instance", "job", "endpoint", "container"]);

interface Query {
  readonly where: string;
  readonly expr: string;
}

const queries: Query[] = loadAllEnvironments().flatMap((environment) => [
  ...alertGroups(environment).flatMap((group) =>
    group.rules.map((rule) => ({
      where: `${environment.name} alert ${rule.name}`,
      expr: rule.expr,
    })),
  ),
  ...dashboards(environment).flatMap((dashboard) =>
    dashboardQueries(dashboard).map((expr) => ({
      where: `${environment.name} dashboard ${dashboard.file}`,
      expr,
    })),
  ),
]);

let fixture: PaymentsFixture;
let purchasingFixture: PurchasingFixture;
let edgeFixture: EdgeFixture;
let exchangeFixture: ExchangeFixture;
let escrowFixture: EscrowFixture;
let cluster: KubeCluster;
let running: RunningOperator | undefined;
let payments: Exposition;
let purchasing: Exposition;
let operator: Exposition;
let edge: Exposition;
let exchange: Exposition;
let escrow: Exposition;

/** Requests that make the HTTP, idempotency and manual review series exist. */
async function exercise(url: string): Promise<void> {
  const [source, target] = [`users:${randomUUID()}:wallet`, `users:${randomUUID()}:wallet`];
  await fundedWallet(url, source, 1_000n);
  await fundedWallet(url, target, 1n);
  const body = { source, target, amount: "5", currency: "USD" };
  const key = randomUUID();
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const answer = await call(url, "POST", "/v1/transfers", body, { "idempotency-key": key });
    assert.is(answer.status, 201, JSON.stringify(answer.body));
  }
  const queue = await call(
    url,
    "GET",
    "/v1/payouts/manual-review?limit=50&offset=0",
    undefined,
    asAdmin,
  );
  assert.is(queue.status, 200);
  assert.is((await call(url, "GET", "/v1/no-such-route")).status, 404);
}

/**
 * Purchases that complete and fail over, a breaker that opens (provider a fails five times in
 * a row), and a reconciliation run: every labelled purchasing series then exists.
 */
async function exercisePurchasing(url: string): Promise<void> {
  const subject = randomUUID();
  const buyer = await asUser(purchasingFixture.issuer, subject);
  await fundWallet(url, subject, 1_000n);
  purchasingFixture.providers.a.setMode("error");
  for (let attempt = 0; attempt < 6; attempt += 1) {
    const answer = await purchase(url, buyer, subject, 5n);
    assert.is(answer.status, 201, JSON.stringify(answer.body));
  }
  const reconciled = await call(url, "POST", "/api/cron/reconcile", undefined, {
    authorization: `Bearer ${cronSecret}`,
  });
  assert.is(reconciled.status, 200);
}

/**
 * An escrow replica's /metrics once its stuck scan ran and it refused a badly signed webhook:
 * its login, OTP, payout, admin, dispute and database series are declared at start.
 */
async function escrowMetrics(): Promise<string> {
  escrowFixture = await startEscrowFixture({ postgres: fixture.postgres, redis: fixture.redis });
  const replica = await escrowFixture.startReplica();
  const forged = await call(
    replica.url,
    "POST",
    "/api/v1/webhooks/paystack",
    { event: "charge.success", data: { reference: "forged" } },
    { "x-paystack-signature": "0".repeat(128) },
  );
  assert.is(forged.status, 401);
  let text = "";
  await waitUntil(
    "escrow counted its stuck transactions",
    async () => {
      text = (await call(replica.url, "GET", "/metrics")).body as string;
      return text.includes("escrow_stuck_transactions{");
    },
    { timeoutMs: 30_000 },
  );
  return text;
}

/** The operator's /metrics once it enforced a halt and compared payments' controls. */
async function operatorMetrics(paymentsUrl: string): Promise<string> {
  cluster = await startKube();
  await installControls(cluster);
  await createTokenSecret(cluster, adminToken);
  running = await startOperatorInProcess(cluster, {
    OPERATOR_TARGETS_FILE: writeTargets({ paymentsUrl }),
    OPERATOR_UNMANAGED_SCAN_SECONDS: "0.5",
  });
  await kubectlOk(cluster, ["apply", "-f", "-"], { input: withdrawalHaltYaml("halt-btc") });
  await kubectlOk(cluster, [
    ...["wait", "--for=condition=Enforced", "withdrawalhalt/halt-btc"],
    ...["-n", "payments", "--timeout=60s"],
  ]);
  const url = `http://127.0.0.1:${running.port}/metrics`;
  let text = "";
  await waitUntil(
    "the operator compared payments' controls",
    async () => {
      text = await (await fetch(url)).text();
      return text.includes("breakwater_operator_unmanaged_controls{");
    },
    { timeoutMs: 30_000 },
  );
  return text;
}

test.before(async () => {
  fixture = await startPaymentsFixture();
  const replica = await fixture.startReplica();
  await exercise(replica.url);
  payments = exportedMetrics((await call(replica.url, "GET", "/metrics")).body as string);
  purchasingFixture = await startPurchasingFixture({
    postgres: fixture.postgres,
    redis: fixture.redis,
  });
  const buyer = purchasingFixture.replicas[0]!.url;
  await exercisePurchasing(buyer);
  purchasing = exportedMetrics((await call(buyer, "GET", "/metrics")).body as string);
  // The exchange edge, as deployed with the exchange: its WebSocket and auth series are
  // declared at start, so its exposition names them before any client connects.
  edgeFixture = await startEdgeFixture({ kafka: false });
  const edgeReplica = await edgeFixture.startReplica();
  edge = exportedMetrics((await call(edgeReplica.url, "GET", "/metrics")).body as string);
  // The exchange: its sequencer's and its settlement's series are declared at start.
  exchangeFixture = await startExchangeFixture();
  const exchangeReplica = await exchangeFixture.startReplica();
  exchange = exportedMetrics((await call(exchangeReplica.url, "GET", "/metrics")).body as string);
  escrow = exportedMetrics(await escrowMetrics());
  // The operator and the autopilot: both programs of the operators/ image.
  operator = exportedMetrics(
    `${await operatorMetrics(replica.url)}\n${await createAutopilotMetrics().registry.metrics()}`,
  );
});

test.after(async () => {
  await running?.stop();
  await cluster?.stop();
  await purchasingFixture?.stop();
  await edgeFixture?.stop();
  await exchangeFixture?.stop();
  await escrowFixture?.stop();
  await fixture?.stop();
});

test("the alerts and dashboards read metrics at all (the parser found them)", () => {
  const names = new Set(queries.flatMap((query) => metricNamesIn(query.expr)));
  for (const name of [
    "http_request_duration_seconds_bucket",
    "http_request_duration_seconds_count",
    "idempotency_events_total",
    "payout_manual_review_queue_size",
    "payout_manual_review_transitions_total",
    "worker_runs_total",
    "ledger_imbalance_total",
    "outbox_events_total",
    "breakwater_operator_controls_in_force",
    "autopilot_budget_remaining",
    "breakwater_operator_leader",
    "breakwater_operator_reconciles_total",
    "breakwater_operator_oldest_not_enforced_seconds",
    "breakwater_operator_oldest_approval_wait_seconds",
    "breakwater_operator_lock_flush_interrupted",
    "breakwater_operator_unmanaged_controls",
    "escrow_stuck_transactions",
    "escrow_otp_verifications_total",
    "escrow_login_failures_total",
    "escrow_database_errors_total",
  ])
    assert.ok(names.has(name), name);
});

const expositions = () => [payments, purchasing, edge, exchange, escrow, operator];

/** Whether payments, purchasing, escrow, the exchange (core or edge) or the operator exports `name`. */
function ownMetric(name: string): boolean {
  return expositions().some((exposition) => exposition.names.has(name));
}

test("every metric an alert or dashboard reads is exported by a service, the operator or a listed upstream exporter", () => {
  const missing = queries.flatMap((query) =>
    metricNamesIn(query.expr)
      .filter((name) => !ownMetric(name) && !(name in upstreamMetrics))
      .map((name) => `${query.where}: ${name}`),
  );
  assert.equal(missing, []);
});

test("every label an alert or dashboard matches on is on the exported series", () => {
  const missing: string[] = [];
  let checked = 0;
  for (const query of queries) {
    for (const { metric, labels } of selectorLabelsIn(query.expr)) {
      // Several programs export some series (Node's own, HTTP): the labels of any of them count.
      const sets = expositions()
        .map((exposition) => exposition.labels.get(metric))
        .filter((labels) => labels !== undefined);
      const seen = sets.length === 0 ? undefined : new Set(sets.flatMap((labels) => [...labels]));
      // A labelled counter with no sample yet (ledger_imbalance_total) shows no labels.
      if (seen === undefined) continue;
      checked += 1;
      for (const label of labels) {
        if (!scrapeLabels.has(label) && !seen.has(label))
          missing.push(`${query.where}: ${metric}{${label}}`);
      }
    }
  }
  assert.equal(missing, []);
  assert.ok(checked >= 10, `only ${checked} selectors had series to check`);
});

test("the upstream list names only metrics breakwater does not export, each with its source, each read", () => {
  const read = new Set(queries.flatMap((query) => metricNamesIn(query.expr)));
  for (const [name, metric] of Object.entries(upstreamMetrics)) {
    assert.not.ok(ownMetric(name), `${name} is breakwater's own`);
    assert.ok(metric.source.length > 20, `${name}: say where it is documented`);
    assert.ok(read.has(name), `${name}: listed but read by no alert or dashboard`);
  }
});

test("a metric the service does not export is caught", () => {
  assert.not.ok(payments.names.has("payout_manual_review_queue_length"));
  assert.not.ok(payments.names.has("http_request_duration_seconds"));
});

test.run();
