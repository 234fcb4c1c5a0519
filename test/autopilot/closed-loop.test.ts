/**
 * @module The closed loop, on real parts: three payments replicas, a real Prometheus with the
 * rendered rules, a real Alertmanager with the rendered routes (intervals shortened), the
 * operator and the autopilot against a real API server. The BTC books are tampered with
 * behind the service's back; reconciliation counts it, PaymentsLedgerImbalance fires and
 * pages, Alertmanager calls the autopilot, which creates a WithdrawalHalt of BTC that every
 * replica enforces (BTC payouts 423, ETH still paid). The books are corrected, the alert
 * resolves, the halt stays with the resolution recorded, and a person lifts it.
 */

import { createServer, type Server } from "node:http";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEnvironment } from "../../environments";
import type { RunningAutopilot } from "../../operators/autopilot/autopilot";
import type { RunningOperator } from "../../operators/operator";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { type MonitoringServer, startAlertmanager } from "../harness/prometheus";
import { getJson, kubectlOk, setup } from "../operator/cluster";
import {
  createTokenSecret,
  startOperatorInProcess,
  writeTargets,
} from "../operator/operator-runner";
import {
  adminToken,
  allAccept,
  allRefuse,
  type PaymentsReplicas,
  startPaymentsReplicas,
} from "../operator/payments-replicas";
import {
  fastAlertmanagerConfig,
  installAutopilot,
  startAutopilotInProcess,
  startRulesPrometheus,
} from "./autopilot-cluster";

/** prod's alerts with a one-minute imbalance window, so the alert resolves within the test. */
const prod = loadEnvironment("prod");
const environment = { ...prod, alerts: { ...prod.alerts, ledgerImbalanceWindowMinutes: 1 } };
const haltName = "payments-ledger-imbalance-btc";

let cluster: KubeCluster;
let payments: PaymentsReplicas;
let operator: RunningOperator;
let autopilot: RunningAutopilot;
let prometheus: MonitoringServer;
let alertmanager: MonitoringServer;
let pager: Server;
const pages: { event_action?: string; payload?: { summary?: string } }[] = [];

/** PagerDuty's events endpoint, as a real HTTP server that records each page. */
async function startPager(): Promise<string> {
  pager = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      pages.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      response.writeHead(202, { "content-type": "application/json" });
      response.end('{"status":"success"}');
    });
  });
  await new Promise<void>((resolve) => pager.listen(0, "127.0.0.1", resolve));
  const address = pager.address() as { port: number };
  return `http://127.0.0.1:${address.port}/v2/enqueue`;
}

async function annotations(): Promise<Record<string, string>> {
  const halt = await getJson(cluster, `withdrawalhalt/${haltName}`);
  return (halt.metadata as { annotations?: Record<string, string> }).annotations ?? {};
}

test.before(
  setup(async () => {
    [cluster, payments] = await Promise.all([
      startKube(),
      startPaymentsReplicas(3, { RECONCILIATION_INTERVAL_MS: "500" }),
    ]);
    const kubeconfig = await installAutopilot(cluster);
    await createTokenSecret(cluster, adminToken);
    operator = await startOperatorInProcess(cluster, {
      OPERATOR_TARGETS_FILE: writeTargets({ paymentsUrl: payments.urls[0]! }),
    });
    // The repository's rules as prod runs them: PaymentsLedgerImbalance halts automatically.
    autopilot = await startAutopilotInProcess(kubeconfig, { AUTOPILOT_IDENTITY: "autopilot-0" });
    await waitUntil("the autopilot leads", async () => autopilot.isLeader(), { timeoutMs: 30_000 });
    alertmanager = await startAlertmanager({
      config: fastAlertmanagerConfig(environment, autopilot.url, await startPager()),
    });
    prometheus = await startRulesPrometheus(environment, payments.urls, alertmanager.url);
  }),
);

test.after(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  await autopilot?.stop();
  await operator?.stop();
  pager?.close();
  await Promise.all([cluster?.stop(), payments?.stop()]);
});

test("an imbalanced BTC ledger halts BTC payouts on every replica, and a person lifts it", async () => {
  assert.ok(await allAccept(payments.urls, "BTC"), "BTC payouts flow before the incident");
  const tamper = (delta: number) =>
    payments.fixture.pool.query(
      "UPDATE balances SET amount = amount + $1 WHERE account = 'users:treasury:btc' AND currency = 'BTC'",
      [delta],
    );
  await tamper(7);

  await waitUntil(
    "the autopilot created the BTC halt",
    async () => {
      const found = await cluster.kubectl(["get", `withdrawalhalt/${haltName}`, "-n", "payments"]);
      return found.code === 0;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  const waited = await cluster.kubectl([
    ...["wait", "--for=condition=Enforced", `withdrawalhalt/${haltName}`],
    ...["-n", "payments", "--timeout=60s"],
  ]);
  assert.is(waited.code, 0, waited.stderr);
  const halt = await getJson(cluster, `withdrawalhalt/${haltName}`);
  assert.equal(halt.spec.scope, { services: ["payments"], currencies: ["BTC"] });
  assert.match(String(halt.spec.reason), "Reconciliation found the ledger out of balance.");
  assert.is(halt.status?.enforcement?.summary, "3/3");
  assert.ok(await allRefuse(payments.urls, "BTC"), "every replica refuses BTC payouts");
  assert.ok(await allAccept(payments.urls, "ETH"), "ETH payouts still flow");
  await waitUntil(
    "the alert paged",
    async () => pages.some((page) => page.event_action === "trigger"),
    {
      timeoutMs: 60_000,
    },
  );

  await tamper(-7);
  await waitUntil(
    "the resolution is recorded on the halt",
    async () =>
      (await annotations())["autopilot.ops.breakwater.dev/alert-resolved-at"] !== undefined,
    { timeoutMs: 240_000, intervalMs: 1000 },
  );
  const after = await getJson(cluster, `withdrawalhalt/${haltName}`);
  assert.not.ok(after.metadata.deletionTimestamp, "a resolved alert never lifts a halt");
  assert.is(after.status?.phase, "Applied");
  assert.ok(await allRefuse(payments.urls, "BTC"), "BTC stays halted until a person lifts it");

  await kubectlOk(
    cluster,
    ["delete", `withdrawalhalt/${haltName}`, "-n", "payments", "--timeout=60s"],
    {
      user: "alice",
    },
  );
  await waitUntil("BTC payouts flow again", () => allAccept(payments.urls, "BTC"), {
    timeoutMs: 30_000,
  });
});

test.run();
