/**
 * @module The operator as `npm run operator` runs it, as child processes: killed mid-
 * reconcile and restarted it converges; two replicas elect one leader through a Lease and
 * the standby takes over when the leader dies; SIGTERM hands over at once. The operator
 * authenticates as the harness's `operator` identity, so only its generated RBAC applies.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { metricValue } from "../payments/payments-fixture";
import { getJson, installControls, kubectlOk, setup, withdrawalHaltYaml } from "./cluster";
import {
  createTokenSecret,
  type OperatorProcess,
  startOperatorProcess,
  writeTargets,
} from "./operator-runner";
import {
  adminToken,
  allAccept,
  allRefuse,
  type PaymentsReplicas,
  startPaymentsReplicas,
} from "./payments-replicas";

let cluster: KubeCluster;
let payments: PaymentsReplicas;
let targetsFile: string;

const apply = (yaml: string) => kubectlOk(cluster, ["apply", "-f", "-"], { input: yaml });

function start(identity: string): Promise<OperatorProcess> {
  return startOperatorProcess(cluster, identity, { OPERATOR_TARGETS_FILE: targetsFile });
}

async function leaderOf(operator: OperatorProcess): Promise<number | undefined> {
  return metricValue(await operator.metrics(), "breakwater_operator_leader");
}

async function leaseHolder(): Promise<string | undefined> {
  const lease = JSON.parse(
    await kubectlOk(cluster, [
      "get",
      "lease",
      "breakwater-operator",
      "-n",
      "breakwater-system",
      "-o",
      "json",
    ]),
  ) as { spec: { holderIdentity?: string } };
  return lease.spec.holderIdentity;
}

async function applied(name: string): Promise<void> {
  await waitUntil(
    `${name} Applied 3/3`,
    async () => {
      const object = await getJson(cluster, `withdrawalhalt/${name}`);
      return (
        object.status?.phase === "Applied" &&
        object.status.enforcement?.summary === "3/3" &&
        object.status.observedGeneration === object.metadata.generation
      );
    },
    { timeoutMs: 30_000 },
  );
}

test.before(
  setup(async () => {
    [cluster, payments] = await Promise.all([startKube(), startPaymentsReplicas(3)]);
    await installControls(cluster);
    await createTokenSecret(cluster, adminToken);
    targetsFile = writeTargets({ paymentsUrl: payments.urls[0]! });
  }),
);

test.after(async () => {
  await Promise.all([cluster?.stop(), payments?.stop()]);
});

test("a bad setting stops the operator with one line naming the variable", async () => {
  const { spawnSync } = await import("node:child_process");
  const { writeFileSync } = await import("node:fs");
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", "tsx", "operators/main.ts"], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigFor("operator"), ...env },
      encoding: "utf8",
    });
  const port = run({ OPERATOR_METRICS_PORT: "ninety" });
  assert.is(port.status, 1);
  assert.match(port.stderr.trim(), /^OPERATOR_METRICS_PORT: [^\n]+$/);
  const badTargets = `${targetsFile}.bad.yaml`;
  writeFileSync(badTargets, "services:\n  payments:\n    adminUrl: nowhere\n");
  const targets = run({ OPERATOR_TARGETS_FILE: badTargets });
  assert.is(targets.status, 1);
  assert.match(
    targets.stderr.trim(),
    /^OPERATOR_TARGETS_FILE: \S+\.bad\.yaml: services\.payments\.adminUrl: [^\n]+$/,
  );
});

test("killed mid-reconcile and restarted, the operator converges", async () => {
  let operator = await start("first");
  await apply(withdrawalHaltYaml("halt-crash", { currencies: ["BTC"] }));
  // The finalizer is the reconcile's first write; the PUT to the services comes after it.
  await waitUntil(
    "reconcile started",
    async () =>
      ((await getJson(cluster, "withdrawalhalt/halt-crash")).metadata.finalizers ?? []).length > 0,
    { intervalMs: 5 },
  );
  operator.process.child.kill("SIGKILL");
  await operator.process.exited;
  // While no operator runs: the scope changes and nothing acts on it.
  await apply(withdrawalHaltYaml("halt-crash", { currencies: ["ETH"] }));
  operator = await start("second");
  await applied("halt-crash");
  assert.ok(await allRefuse(payments.urls, "ETH"));
  await waitUntil("BTC no longer halted", () => allAccept(payments.urls, "BTC"));

  // Killed again, then the halt is deleted: it waits, Terminating, for the lift.
  operator.process.child.kill("SIGKILL");
  await operator.process.exited;
  await kubectlOk(cluster, [
    "delete",
    "withdrawalhalt",
    "halt-crash",
    "-n",
    "payments",
    "--wait=false",
  ]);
  const terminating = await getJson(cluster, "withdrawalhalt/halt-crash");
  assert.ok(terminating.metadata.deletionTimestamp, "held by the finalizer");
  assert.ok(await allRefuse(payments.urls, "ETH"), "still halted while nobody can lift it");
  operator = await start("third");
  await waitUntil(
    "the halt is lifted and gone",
    async () => {
      const gone = await cluster.kubectl(["get", "withdrawalhalt", "halt-crash", "-n", "payments"]);
      return gone.code !== 0 && gone.stderr.includes("NotFound");
    },
    { timeoutMs: 30_000 },
  );
  await waitUntil("ETH payouts flow again", () => allAccept(payments.urls, "ETH"));
  await operator.process.stop();
});

test("two operators: one leader acts; the standby takes over when it dies", async () => {
  const first = await start("replica-a");
  const second = await start("replica-b");
  await waitUntil(
    "one leader",
    async () => (await leaderOf(first)) === 1 || (await leaderOf(second)) === 1,
  );
  const [leader, standby] = (await leaderOf(first)) === 1 ? [first, second] : [second, first];
  assert.is(await leaderOf(standby), 0, "exactly one leads");
  assert.is(await leaseHolder(), leader.identity);
  await apply(withdrawalHaltYaml("halt-leader", { currencies: ["BTC"] }));
  await applied("halt-leader");
  assert.match(leader.log(), "controllers started");
  assert.not.match(standby.log(), "controllers started", "the standby never acted");

  leader.process.child.kill("SIGKILL");
  await leader.process.exited;
  await waitUntil(
    "the standby holds the Lease",
    async () => (await leaseHolder()) === standby.identity,
    { timeoutMs: 15_000, intervalMs: 200 },
  );
  await waitUntil("the standby leads", async () => (await leaderOf(standby)) === 1);
  await apply(withdrawalHaltYaml("halt-after-failover", { currencies: ["ETH"] }));
  await applied("halt-after-failover");
  assert.ok(await allRefuse(payments.urls, "ETH"));

  // A graceful stop releases the Lease, so a fresh replica takes over at once.
  const third = await start("replica-c");
  assert.is(await leaderOf(third), 0);
  standby.process.child.kill("SIGTERM");
  assert.is(await standby.process.exited, 0, "graceful shutdown exits 0");
  await waitUntil(
    "the new replica holds the Lease",
    async () => (await leaseHolder()) === "replica-c",
    { timeoutMs: 10_000, intervalMs: 100 },
  );
  await kubectlOk(cluster, [
    "delete",
    "withdrawalhalt",
    "halt-leader",
    "halt-after-failover",
    "-n",
    "payments",
    "--timeout=30s",
  ]);
  await waitUntil(
    "payouts flow again",
    async () => (await allAccept(payments.urls, "ETH")) && allAccept(payments.urls, "BTC"),
  );
  const ready = await fetch(`http://127.0.0.1:${third.port}/health/ready`);
  assert.is(ready.status, 200);
  const metrics = await third.metrics();
  assert.ok(
    (metricValue(metrics, "breakwater_operator_reconciles_total", {
      kind: "WithdrawalHalt",
      result: "success",
    }) ?? 0) > 0,
  );
  assert.ok(metrics.includes("breakwater_operator_reconcile_duration_seconds_bucket"));
  assert.is(metricValue(metrics, "breakwater_operator_queue_depth", { kind: "WithdrawalHalt" }), 0);
  assert.is(
    metricValue(metrics, "breakwater_operator_controls_in_force", { kind: "WithdrawalHalt" }),
    0,
  );
  await third.process.stop();
});

test("a leader that cannot renew its Lease stops acting and exits", async () => {
  const operator = await start("replica-d");
  await waitUntil("it leads", async () => (await leaderOf(operator)) === 1);
  // Losing the right to update the Lease is, for the leader, the same as losing the API.
  await kubectlOk(cluster, [
    "delete",
    "rolebinding",
    "breakwater-operator",
    "-n",
    "breakwater-system",
  ]);
  try {
    assert.is(await operator.process.exited, 1);
    assert.match(operator.log(), "lost the leader Lease");
  } finally {
    await kubectlOk(cluster, ["apply", "-f", "operators/crds/generated/rbac.yaml"]);
  }
});

test.run();
