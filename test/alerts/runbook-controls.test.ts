/**
 * @module The control resources the runbooks tell on-call to `kubectl apply` are accepted by a
 * real kube-apiserver with breakwater's CRDs and admission policy, applied by an on-call user
 * (alice, group `breakwater:oncall`) exactly as written.
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stringify } from "yaml";
import { readRunbooks } from "../../runbooks/runbook-files";
import { applyCrds, type KubeCluster, startKube } from "../harness/kube";

const generated = resolve(import.meta.dirname, "..", "..", "operators", "crds", "generated");
const controls = readRunbooks().flatMap((runbook) =>
  runbook.yamlObjects
    .filter((object) => typeof object.kind === "string")
    .map((object) => ({ path: runbook.path, object })),
);

// What an on-call engineer is granted on controls; the charts do not ship human RBAC yet.
const oncallAccess = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: breakwater-oncall-controls }
rules:
  - apiGroups: [ops.breakwater.dev]
    resources: ["*"]
    verbs: [get, list, watch, create, update, patch, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: breakwater-oncall-controls }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: breakwater-oncall-controls }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: Group, name: "breakwater:oncall" }]
`;

let kube: KubeCluster;

test.before(async () => {
  kube = await startKube();
  const crds = readdirSync(generated)
    .filter((file) => file.startsWith("ops.breakwater.dev_"))
    .map((file) => join(generated, file));
  await applyCrds(kube, crds);
  for (const args of [
    ["create", "namespace", "breakwater-services"],
    ["apply", "-f", join(generated, "admission.yaml")],
    ["apply", "-f", "-"],
  ]) {
    const result = await kube.kubectl(args, { input: oncallAccess });
    assert.is(result.code, 0, result.stderr);
  }
});

test.after(async () => {
  await kube?.stop();
});

function dryRun(object: Record<string, unknown>) {
  return kube.kubectl(["apply", "--dry-run=server", "-f", "-"], {
    user: "alice",
    input: stringify(object),
  });
}

test("the runbooks apply at least one control (a WithdrawalHalt for ledger imbalance)", () => {
  assert.ok(
    controls.some(
      ({ path, object }) =>
        path.endsWith("PaymentsLedgerImbalance.md") && object.kind === "WithdrawalHalt",
    ),
  );
});

for (const { path, object } of controls) {
  const name = (object.metadata as { name: string }).name;
  test(`${path}: ${String(object.kind)} ${name} is accepted as written`, async () => {
    const result = await dryRun(object);
    assert.is(result.code, 0, result.stderr);
    assert.match(result.stdout, "(server dry run)");
  });
}

test("the API server refuses a control without a proper ticket, so the check above can fail", async () => {
  const [first] = controls;
  assert.ok(first);
  const spec = { ...(first.object.spec as Record<string, unknown>), ticket: "ticket 1234" };
  const result = await dryRun({ ...first.object, spec });
  assert.is.not(result.code, 0);
  assert.match(result.stderr, "ticket must be an issue key");
});

test.run();
