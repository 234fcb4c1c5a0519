/**
 * @module Seed 001's on-call actions as controls, end to end: a real API server, the operator
 * with exactly its generated RBAC, three purchasing replicas (their own processes) with real
 * providers. ProviderDisable applied with kubectl keeps every replica's purchases away from
 * the provider until it is deleted; LockFlush clears the `lock:purchase:*` locks a crashed
 * replica left behind, after which the stuck purchases are finished.
 */
import { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import {
  adminToken,
  asUser,
  call,
  cronSecret,
  fundWallet,
  type PurchasingFixture,
  purchase,
  startPurchasingFixture,
  usdBalance,
} from "../purchasing/purchasing-fixture";
import { getJson, installControls, kubectlOk, lockFlushYaml, setup } from "./cluster";
import { createTokenSecret, startOperatorInProcess, writeTargets } from "./operator-runner";

let cluster: KubeCluster;
let purchasing: PurchasingFixture;
let operator: RunningOperator;
let user: Record<string, string>;

const apply = (yaml: string) => kubectlOk(cluster, ["apply", "-f", "-"], { input: yaml });

function providerDisableYaml(name: string, provider: string): string {
  return `apiVersion: ops.breakwater.dev/v1alpha1
kind: ProviderDisable
metadata: { name: ${name}, namespace: payments }
spec:
  provider: ${provider}
  reason: "provider a answers 5xx to every purchase"
  ticket: INC-4242
  requestedBy: alice
`;
}

test.before(
  setup(async () => {
    [cluster, purchasing] = await Promise.all([
      startKube(),
      startPurchasingFixture({ replicas: 3, env: { RESERVATION_DEADLINE_MS: "1000" } }),
    ]);
    await installControls(cluster);
    await createTokenSecret(cluster, adminToken, "purchasing");
    operator = await startOperatorInProcess(cluster, {
      REDIS_URL: purchasing.redis.url,
      OPERATOR_TARGETS_FILE: writeTargets({ purchasingUrl: purchasing.replicas[0]!.url }),
    });
    user = await asUser(purchasing.issuer, "fay");
    await fundWallet(purchasing.replicas[0]!.url, "fay", 100_000n);
  }),
);

test.after(async () => {
  await operator?.stop();
  await Promise.all([cluster?.stop(), purchasing?.stop()]);
});

async function everyReplicaUses(provider: string): Promise<boolean> {
  const answers = await Promise.all(
    purchasing.replicas.map((replica) => purchase(replica.url, user, "fay", 1n)),
  );
  return answers.every((answer) => answer.status === 201 && answer.body.provider === provider);
}

test("ProviderDisable keeps every replica's purchases away from the provider until it is deleted", async () => {
  const { a } = purchasing.providers;
  assert.ok(await everyReplicaUses("a"), "a takes purchases before the control");
  await apply(providerDisableYaml("disable-a", "a"));
  const waited = await cluster.kubectl([
    "wait",
    "--for=condition=Ready",
    "providerdisable/disable-a",
    "-n",
    "payments",
    "--timeout=60s",
  ]);
  assert.is(waited.code, 0, waited.stderr);
  const object = await getJson(cluster, "providerdisable/disable-a");
  assert.is(object.status?.phase, "Applied", JSON.stringify(object.status));
  assert.is(object.status?.enforcement?.summary, "3/3", "all three replicas acknowledged");
  assert.match(String(object.status?.target), /\ba\b/, "status names the provider");
  const enforcement = object.status?.enforcement as
    | { services?: { service: string }[] }
    | undefined;
  const services = enforcement?.services;
  assert.equal(
    services?.map((item) => item.service),
    ["purchasing"],
  );

  const before = a.orderRequests;
  for (let round = 0; round < 3; round += 1) {
    assert.ok(await everyReplicaUses("b"), "every replica routes to b");
  }
  assert.is(a.orderRequests, before, "no purchase reached the disabled provider");
  const listed = await call(purchasing.replicas[1]!.url, "GET", "/v1/providers", undefined, {
    authorization: `Bearer ${adminToken}`,
  });
  const shown = listed.body.providers.find((item: { name: string }) => item.name === "a");
  assert.match(shown.disabledBy, /ProviderDisable .*INC-4242/);

  await kubectlOk(cluster, [
    "delete",
    "providerdisable/disable-a",
    "-n",
    "payments",
    "--timeout=60s",
  ]);
  await waitUntil("every replica routes to a again", () => everyReplicaUses("a"), {
    timeoutMs: 30_000,
  });
});

test("LockFlush clears the purchase locks a crashed replica left, then the stuck purchases finish", async () => {
  const { a } = purchasing.providers;
  a.setMode("hang");
  // A replica that holds its locks for 10 minutes and waits a minute for providers: killed
  // mid-purchase, it leaves the locks and the reservations behind.
  const doomed = await purchasing.startReplica({
    PURCHASE_LOCK_TTL_MS: "600000",
    PROVIDER_TIMEOUT_MS: "60000",
  });
  const requestsBefore = a.orderRequests;
  const inFlight = [1, 2, 3].map(() =>
    purchase(doomed.url, user, "fay", 7n).catch(() => undefined),
  );
  await waitUntil(
    "the provider holds three orders",
    async () => a.orderRequests >= requestsBefore + 3,
  );
  doomed.process.child.kill("SIGKILL");
  await doomed.process.exited;
  await Promise.all(inFlight);
  a.setMode("complete");

  const url = purchasing.replicas[0]!.url;
  const asCron = { authorization: `Bearer ${cronSecret}` };
  const stuck = await purchasing.pool.query<{ id: string }>(
    "SELECT id FROM purchases WHERE status = 'pending' AND provider = 'a'",
  );
  assert.is(stuck.rowCount, 3);
  await waitUntil("the reservations are past their deadline", async () => {
    const report = await call(url, "POST", "/api/cron/reconcile", undefined, asCron);
    return report.body.locked === 3;
  });
  const redis = new Redis(purchasing.redis.url);
  const held = await redis.keys("lock:purchase:*").finally(() => redis.quit());
  assert.is(held.length, 3, "the crashed holder's locks are still there");

  await apply(lockFlushYaml("flush-purchases", { pattern: "lock:purchase:*" }));
  await waitUntil(
    "the LockFlush completed",
    async () => {
      const object = await getJson(cluster, "lockflush/flush-purchases");
      return object.status?.completedAt !== undefined;
    },
    { timeoutMs: 60_000 },
  );
  const flushed = await getJson(cluster, "lockflush/flush-purchases");
  assert.is(flushed.status?.phase, "Completed");
  assert.is(flushed.status?.keysFlushed, 3);

  const report = await call(url, "POST", "/api/cron/reconcile", undefined, asCron);
  assert.is(report.body.completed, 3, JSON.stringify(report.body));
  for (const row of stuck.rows) {
    const done = await call(url, "GET", `/v1/purchases/${row.id}`, undefined, user);
    assert.is(done.body.status, "completed", "the provider had the order: captured");
  }
  assert.is(await usdBalance(url, "platform:purchases:reserved"), 0n);
  const after = await purchase(url, user, "fay", 1n);
  assert.is(after.status, 201, "purchases proceed");
});

test.run();
