/**
 * @module The operator's writes against a real API server: a status write conditioned on
 * the resourceVersion loses to any change made since the read (what makes a LockFlush run
 * at most once), finalizer edits are compare-and-swap too, and a status write goes through
 * /status only (the spec cannot be changed that way).
 */
import { KubeConfig } from "@kubernetes/client-node";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  ConflictError,
  createControlClient,
  liftFinalizer,
} from "../../operators/runtime/control-client";
import { createKubeApi, type KubeApi } from "../../operators/runtime/kube-api";
import { type ControlObject, objectPath } from "../../operators/runtime/resource";
import { type KubeCluster, startKube } from "../harness/kube";
import {
  getJson,
  installControls,
  kubectlOk,
  lockFlushYaml,
  setup,
  withdrawalHaltYaml,
} from "./cluster";

let cluster: KubeCluster;
let api: KubeApi;
const lockFlushes = {
  group: "ops.breakwater.dev",
  version: "v1alpha1",
  plural: "lockflushes",
  kind: "LockFlush",
};
const halts = { ...lockFlushes, plural: "withdrawalhalts", kind: "WithdrawalHalt" };

test.before(
  setup(async () => {
    cluster = await startKube();
    await installControls(cluster);
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(cluster.kubeconfigFor("operator"));
    api = createKubeApi(kubeconfig);
  }),
);

test.after(async () => {
  await cluster?.stop();
});

const read = (type: typeof lockFlushes, name: string) =>
  api.get<ControlObject>(objectPath(type, "payments", name));

test("a conditional status write loses to a change made after the read", async () => {
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: lockFlushYaml("claim-me", { pattern: "lock:purchase:*" }),
  });
  const client = createControlClient(api, lockFlushes, () => {});
  const stale = await read(lockFlushes, "claim-me");
  // Another writer (another operator, or the user) changes the object meanwhile.
  await kubectlOk(cluster, ["annotate", "lockflush", "claim-me", "-n", "payments", "touched=yes"]);
  try {
    await client.writeStatus(
      stale,
      { phase: "Pending", startedAt: new Date().toISOString() },
      { ifUnchanged: true },
    );
    assert.unreachable("the stale claim must fail");
  } catch (error) {
    assert.instance(error, ConflictError);
  }
  assert.is(
    (await getJson(cluster, "lockflush/claim-me")).status,
    undefined,
    "nothing was claimed",
  );
  const fresh = await read(lockFlushes, "claim-me");
  const claimed = await client.writeStatus(
    fresh,
    { phase: "Pending", startedAt: new Date().toISOString() },
    { ifUnchanged: true },
  );
  assert.is(claimed.status?.phase, "Pending");
});

test("a status write cannot change the spec", async () => {
  const client = createControlClient(api, lockFlushes, () => {});
  const object = await read(lockFlushes, "claim-me");
  const changed = { ...object, spec: { ...object.spec, pattern: "lock:payout:*" } };
  await client.writeStatus(changed, { ...object.status, message: "only status" });
  const stored = await getJson(cluster, "lockflush/claim-me");
  assert.is(stored.spec.pattern, "lock:purchase:*");
  assert.is(stored.status?.message, "only status");
});

test("finalizers are added and removed with compare-and-swap; removal lets a deletion finish", async () => {
  await kubectlOk(cluster, ["apply", "-f", "-"], { input: withdrawalHaltYaml("finalize-me") });
  const remembered: ControlObject[] = [];
  const client = createControlClient(api, halts, (object) => remembered.push(object));
  const stale = await read(halts, "finalize-me");
  await kubectlOk(cluster, [
    "annotate",
    "withdrawalhalt",
    "finalize-me",
    "-n",
    "payments",
    "touched=yes",
  ]);
  try {
    await client.addFinalizer(stale);
    assert.unreachable("a stale finalizer write must fail");
  } catch (error) {
    assert.instance(error, ConflictError);
  }
  const withFinalizer = await client.addFinalizer(await read(halts, "finalize-me"));
  assert.equal(withFinalizer.metadata.finalizers, [liftFinalizer]);
  assert.is(
    remembered.at(-1)?.metadata.resourceVersion,
    withFinalizer.metadata.resourceVersion,
    "the write goes to the cache",
  );
  await kubectlOk(cluster, [
    "delete",
    "withdrawalhalt",
    "finalize-me",
    "-n",
    "payments",
    "--wait=false",
  ]);
  const terminating = await read(halts, "finalize-me");
  assert.ok(terminating.metadata.deletionTimestamp);
  await client.removeFinalizer(terminating);
  const gone = await cluster.kubectl(["get", "withdrawalhalt", "finalize-me", "-n", "payments"]);
  assert.match(gone.stderr, "NotFound");
});

test.run();
