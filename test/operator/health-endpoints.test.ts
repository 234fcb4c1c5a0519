/**
 * @module The operator's probes against a real API server: `/readyz` is 200 on the leader once
 * its caches are synced and on the standby (ready to take over), and 503 naming the reason
 * once the API server is gone; `/healthz` answers as long as the process does.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { installControls, setup } from "./cluster";
import { startOperatorInProcess, writeTargets } from "./operator-runner";

let cluster: KubeCluster;
let operators: RunningOperator[] = [];

async function probe(operator: RunningOperator, path: string) {
  const response = await fetch(`http://127.0.0.1:${operator.port}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

test.before(
  setup(async () => {
    cluster = await startKube();
    await installControls(cluster);
    const targets = writeTargets({});
    operators = [
      await startOperatorInProcess(cluster, { OPERATOR_TARGETS_FILE: targets }),
      await startOperatorInProcess(cluster, { OPERATOR_TARGETS_FILE: targets }),
    ];
  }),
);

test.after(async () => {
  await Promise.all(operators.map((operator) => operator.stop()));
  await cluster?.stop();
});

test("the leader and the standby are both ready, each on /readyz", async () => {
  await waitUntil("one replica leads", async () => operators.some((each) => each.isLeader()), {
    timeoutMs: 30_000,
  });
  for (const operator of operators) {
    await waitUntil(
      `${operator.isLeader() ? "leader" : "standby"} ready`,
      async () => (await probe(operator, "/readyz")).status === 200,
      { timeoutMs: 30_000 },
    );
    assert.equal((await probe(operator, "/healthz")).status, 200);
  }
  assert.is(operators.filter((operator) => operator.isLeader()).length, 1);
});

test("without the API server neither is ready, and both are still live", async () => {
  await cluster.stop();
  for (const operator of operators) {
    await waitUntil(
      "not ready without the API server",
      async () => (await probe(operator, "/readyz")).status === 503,
      { timeoutMs: 60_000 },
    );
    const ready = await probe(operator, "/readyz");
    assert.equal(ready.body, { status: "not ready", reason: "cannot reach the API server" });
    assert.is((await probe(operator, "/healthz")).status, 200);
  }
});

test.run();
