/**
 * @module The control CRDs as the API server serves them: what it rejects (and the message
 * a human sees), what `kubectl get controls` and `kubectl explain` show.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type KubeCluster, startKube } from "../harness/kube";
import { installControls, kubectlOk, lockFlushYaml, setup, withdrawalHaltYaml } from "./cluster";

let cluster: KubeCluster;

test.before(
  setup(async () => {
    cluster = await startKube();
    await installControls(cluster);
  }),
);

test.after(async () => {
  await cluster?.stop();
});

async function applyAsAlice(yaml: string) {
  return cluster.kubectl(["apply", "-f", "-"], { input: yaml });
}

test("a control without a reason is rejected, saying what is missing", async () => {
  const result = await applyAsAlice(withdrawalHaltYaml("no-reason", { reason: null }));
  assert.is.not(result.code, 0);
  assert.match(result.stderr, "spec.reason is required: say why, as a sentence");
});

test("a control without a ticket is rejected, saying what is missing", async () => {
  const result = await applyAsAlice(withdrawalHaltYaml("no-ticket", { ticket: null }));
  assert.is.not(result.code, 0);
  assert.match(
    result.stderr,
    "spec.ticket is required: the incident or change ticket, like INC-1234",
  );
});

test("a malformed ticket and a one-word reason are rejected with their rules", async () => {
  const ticket = await applyAsAlice(withdrawalHaltYaml("bad-ticket", { ticket: "inc 12" }));
  assert.match(ticket.stderr, "ticket must be an issue key like INC-1234");
  const reason = await applyAsAlice(withdrawalHaltYaml("bad-reason", { reason: "because!!!!!!!" }));
  assert.match(reason.stderr, "reason must be a sentence");
});

test("expiresAt in the past is rejected on create", async () => {
  const result = await applyAsAlice(
    withdrawalHaltYaml("expired", { expiresAt: new Date(Date.now() - 60_000).toISOString() }),
  );
  assert.is.not(result.code, 0);
  assert.match(result.stderr, "spec.expiresAt must be in the future when the control is created");
  const future = new Date(Date.now() + 3_600_000).toISOString();
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: withdrawalHaltYaml("expires-later", { expiresAt: future }),
  });
});

test("a LockFlush spec cannot change once created", async () => {
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: lockFlushYaml("flush-once", { pattern: "lock:purchase:*" }),
  });
  const changed = await cluster.kubectl(["apply", "-f", "-"], {
    input: lockFlushYaml("flush-once", { pattern: "lock:purchase:*", maxKeys: 5 }),
  });
  assert.is.not(changed.code, 0);
  assert.match(changed.stderr, "LockFlush is a one-shot action: its spec is immutable");
});

test("a LockFlush pattern outside lock: is rejected by the API server", async () => {
  const result = await cluster.kubectl(["apply", "-f", "-"], {
    input: lockFlushYaml("flush-sessions", { pattern: "session:*" }),
  });
  assert.match(result.stderr, "pattern must be a lock key glob starting with lock:");
});

test("kubectl get controls lists every kind with its columns", async () => {
  const table = await kubectlOk(cluster, ["get", "controls", "-n", "payments"]);
  assert.match(table, "withdrawalhalt.ops.breakwater.dev/expires-later");
  assert.match(table, "lockflush.ops.breakwater.dev/flush-once");
  for (const column of ["TARGET", "PHASE", "ENFORCED", "TICKET", "AGE"]) {
    assert.match(table, column);
  }
  const short = await kubectlOk(cluster, ["get", "wh", "-n", "payments", "-o", "name"]);
  assert.match(short, "withdrawalhalt.ops.breakwater.dev/expires-later");
});

test("kubectl explain describes the fields", async () => {
  const explained = await kubectlOk(cluster, ["explain", "withdrawalhalt.spec.ticket"]);
  assert.match(explained, "Required. The incident or change ticket this control belongs to");
  const scope = await kubectlOk(cluster, ["explain", "lockflush.spec.maxKeys"]);
  assert.match(scope, "Stop after deleting this many keys");
});

test("the operator's generated RBAC grants what it needs and nothing more", async () => {
  const can = async (...args: string[]) =>
    (await cluster.kubectl(["auth", "can-i", ...args], { user: "operator" })).stdout.trim();
  assert.is(await can("watch", "withdrawalhalts.ops.breakwater.dev", "--all-namespaces"), "yes");
  assert.is(await can("patch", "lockflushes.ops.breakwater.dev/status", "-n", "payments"), "yes");
  assert.is(await can("update", "symbolmodes.ops.breakwater.dev/finalizers", "-n", "x"), "yes");
  assert.is(await can("create", "events", "-n", "payments"), "yes");
  assert.is(await can("delete", "withdrawalhalts.ops.breakwater.dev", "-n", "payments"), "no");
  assert.is(await can("create", "withdrawalhalts.ops.breakwater.dev", "-n", "payments"), "no");
  const secrets = ["-n", "breakwater-services"];
  assert.is(await can("get", "secret/payments-admin-token", ...secrets), "yes");
  assert.is(await can("get", "secret/another-secret", ...secrets), "no");
  assert.is(await can("list", "secrets", ...secrets), "no");
  assert.is(await can("get", "secret/payments-admin-token", "-n", "breakwater-system"), "no");
  assert.is(await can("get", "secret/payments-admin-token", "-n", "payments"), "no");
  const leases = ["-n", "breakwater-system"];
  assert.is(await can("update", "lease/breakwater-operator", ...leases), "yes");
  assert.is(await can("update", "lease/someone-else", ...leases), "no");
  assert.is(await can("get", "pods", "-n", "payments"), "no");
});

test.run();
