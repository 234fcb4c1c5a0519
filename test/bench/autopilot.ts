/**
 * @module `npm run bench -- autopilot [--alerts N] [--storm-webhooks N]`: the autopilot on
 * real parts (kube-apiserver and etcd, the operator, three payments replicas with PostgreSQL
 * and Redis). Two figures:
 *
 * 1. Webhook received → control Enforced on the three replicas, over N alerts (default 50),
 *    each for a new currency: POST one Alertmanager payload, then wait until the halt's
 *    Enforced condition is True (a watch on the halts records the moment). The webhook's own
 *    answer time is printed beside it. Target p99 <= 300 ms.
 * 2. A storm: 1,000 alerts in 100 webhooks (10 each, 10 webhooks in flight) over 20
 *    currencies: decisions per second, and the controls created, which must equal the
 *    distinct targets.
 *
 * Prints the figures and one JSON line last.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { createKubeApi, type WatchEvent } from "../../operators/runtime/kube-api";
import type { ControlObject } from "../../operators/runtime/resource";
import {
  alert,
  installAutopilot,
  payload,
  send,
  startAutopilotInProcess,
  writeRules,
} from "../autopilot/autopilot-cluster";
import { startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import {
  createTokenSecret,
  startOperatorInProcess,
  writeTargets,
} from "../operator/operator-runner";
import { adminToken, startPaymentsReplicas } from "../operator/payments-replicas";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? fallback : Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name}: expected a whole number of at least 1`);
    process.exit(2);
  }
  return value;
}

const alertCount = option("alerts", 50);
const stormWebhooks = option("storm-webhooks", 100);
const stormPerWebhook = 10;
const stormTargets = 20;

const rules = `rules:
  - name: bench-halt
    alert: BenchLedgerImbalance
    target: [currency]
    control: { kind: WithdrawalHalt, spec: { scope: { services: [payments], currencies: ["{{currency}}"] } } }
    ticket: INC-1
    modes: { prod: auto }
    limits: { perWindow: 1000, windowMinutes: 60, cooldownMinutes: 1 }
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const currency = (prefix: string, index: number) => `${prefix}${String(index).padStart(4, "0")}`;

const cluster = await startKube();
const payments = await startPaymentsReplicas(3);
const kubeconfigPath = await installAutopilot(cluster);
await createTokenSecret(cluster, adminToken);
const operator = await startOperatorInProcess(cluster, {
  OPERATOR_TARGETS_FILE: writeTargets({ paymentsUrl: payments.urls[0]! }),
});
const autopilot = await startAutopilotInProcess(kubeconfigPath, {
  AUTOPILOT_RULES_DIR: writeRules(rules),
  AUTOPILOT_IDENTITY: "bench-autopilot",
  AUTOPILOT_BUDGET: "100000",
});
try {
  await waitUntil("the autopilot leads", async () => autopilot.isLeader(), { timeoutMs: 30_000 });
  const config = new KubeConfig();
  config.loadFromFile(cluster.kubeconfigPath);
  const api = createKubeApi(config);
  const enforcedAt = new Map<string, number>();
  const stop = new AbortController();
  const path =
    "/apis/ops.breakwater.dev/v1alpha1/namespaces/payments/withdrawalhalts?watch=true&timeoutSeconds=600";
  void api
    .watch(
      path,
      (event: WatchEvent<ControlObject>) => {
        const enforced = event.object.status?.conditions?.some(
          (condition) => condition.type === "Enforced" && condition.status === "True",
        );
        if (enforced && !enforcedAt.has(event.object.metadata.name)) {
          enforcedAt.set(event.object.metadata.name, performance.now());
        }
      },
      stop.signal,
    )
    .catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 500));

  const enforceMs: number[] = [];
  const answerMs: number[] = [];
  for (let index = 0; index < alertCount; index += 1) {
    const code = currency("E", index);
    const name = `bench-halt-${code.toLowerCase()}`;
    const start = performance.now();
    const answer = await send(
      autopilot,
      payload([alert({ alertname: "BenchLedgerImbalance", labels: { currency: code } })]),
    );
    answerMs.push(performance.now() - start);
    if (answer.status !== 200 || answer.body.decisions[0].outcome !== "created") {
      throw new Error(`alert ${index}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    await waitUntil(`${name} Enforced`, async () => enforcedAt.has(name), {
      timeoutMs: 30_000,
      intervalMs: 1,
    });
    enforceMs.push(enforcedAt.get(name)! - start);
  }
  enforceMs.sort((a, b) => a - b);
  answerMs.sort((a, b) => a - b);
  const enforce = { p50: percentile(enforceMs, 50), p99: percentile(enforceMs, 99) };
  const answered = { p50: percentile(answerMs, 50), p99: percentile(answerMs, 99) };
  console.log(
    `webhook -> Enforced on 3 replicas, ${alertCount} alerts: p50 ${enforce.p50.toFixed(1)} ms, p99 ${enforce.p99.toFixed(1)} ms (target p99 <= 300 ms)`,
  );
  console.log(
    `  of which the webhook's answer (decision + create): p50 ${answered.p50.toFixed(1)} ms, p99 ${answered.p99.toFixed(1)} ms`,
  );

  const webhooks = Array.from({ length: stormWebhooks }, (_, w) =>
    payload(
      Array.from({ length: stormPerWebhook }, (_, a) =>
        alert({
          alertname: "BenchLedgerImbalance",
          labels: {
            currency: currency("S", (w * stormPerWebhook + a) % stormTargets),
            instance: `i${a}`,
          },
        }),
      ),
    ),
  );
  const stormStart = performance.now();
  let next = 0;
  let decisions = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < webhooks.length) {
        const body = webhooks[next++]!;
        const answer = await send(autopilot, body);
        if (answer.status !== 200)
          throw new Error(`storm: ${answer.status} ${JSON.stringify(answer.body)}`);
        decisions += answer.body.decisions.length;
      }
    }),
  );
  const stormSeconds = (performance.now() - stormStart) / 1000;
  const listed = await api.list<{ items: ControlObject[] }>(
    "/apis/ops.breakwater.dev/v1alpha1/namespaces/payments/withdrawalhalts",
  );
  const stormControls = listed.items.filter((item) =>
    item.metadata.name.startsWith("bench-halt-s"),
  ).length;
  const decisionsPerSecond = decisions / stormSeconds;
  console.log(
    `storm: ${decisions} alerts in ${stormWebhooks} webhooks in ${stormSeconds.toFixed(2)} s: ${decisionsPerSecond.toFixed(0)} decisions/s; controls created ${stormControls} (distinct targets ${stormTargets})`,
  );
  stop.abort();
  console.log(
    JSON.stringify({
      benchmark: "autopilot",
      alerts: alertCount,
      webhookToEnforcedMs: enforce,
      webhookAnswerMs: answered,
      storm: {
        alerts: decisions,
        webhooks: stormWebhooks,
        seconds: stormSeconds,
        decisionsPerSecond,
        controlsCreated: stormControls,
        distinctTargets: stormTargets,
      },
    }),
  );
  if (stormControls !== stormTargets) process.exitCode = 1;
} finally {
  await autopilot.stop();
  await operator.stop();
  await Promise.all([cluster.stop(), payments.stop()]);
}
