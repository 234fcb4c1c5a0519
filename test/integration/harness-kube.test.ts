/**
 * @module Proof that the harness's Kubernetes API is the real thing: CRDs from upstream
 * install and serve, client-node watches see changes, kubectl reads them, a
 * ValidatingAdmissionPolicy denies, and RBAC grants and refuses per user and ServiceAccount.
 */
import * as k8s from "@kubernetes/client-node";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { upstreamCrdPath, upstreamCrds } from "../../platform/crds/upstream-crds";
import {
  applyCrds,
  type KubeCluster,
  kubeIdentities,
  kubeVersion,
  startKube,
} from "../harness/kube";
import { waitUntil } from "../harness/process";

let kube: KubeCluster;

test.before(async () => {
  kube = await startKube();
  await kube.kubectl(["create", "namespace", "payments"]);
});

test.after(async () => {
  await kube?.stop();
});

/** Run kubectl and fail the test with its stderr unless it succeeds. */
async function kubectlOk(...args: Parameters<KubeCluster["kubectl"]>): Promise<string> {
  const result = await kube.kubectl(...args);
  assert.is(result.code, 0, `kubectl ${args[0].join(" ")}: ${result.stderr}`);
  return result.stdout;
}

test("kubectl reports the server as the pinned Kubernetes release", async () => {
  const version = JSON.parse(await kubectlOk(["version", "-o", "json"]));
  assert.is(version.serverVersion.gitVersion, kubeVersion);
  assert.is(version.serverVersion.minor, "32");
});

test("a CRD from upstream installs; its objects are watched with client-node and read with kubectl", async () => {
  await applyCrds(kube, [upstreamCrdPath("postgresql.cnpg.io_scheduledbackups.yaml")]);
  const config = new k8s.KubeConfig();
  config.loadFromFile(kube.kubeconfigFor("admin"));
  const events: { type: string; suspend: unknown }[] = [];
  let watchError: unknown;
  const watching = await new k8s.Watch(config).watch(
    "/apis/postgresql.cnpg.io/v1/namespaces/payments/scheduledbackups",
    {},
    (type, object) => events.push({ type, suspend: object?.spec?.suspend }),
    (error) => {
      if (error && error.name !== "AbortError") watchError = error;
    },
  );
  try {
    await config.makeApiClient(k8s.CustomObjectsApi).createNamespacedCustomObject({
      group: "postgresql.cnpg.io",
      version: "v1",
      namespace: "payments",
      plural: "scheduledbackups",
      body: {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "ScheduledBackup",
        metadata: { name: "ledger-nightly" },
        spec: { cluster: { name: "ledger" }, schedule: "0 0 2 * * *" },
      },
    });
    await kubectlOk([
      "-n",
      "payments",
      "patch",
      "scheduledbackup",
      "ledger-nightly",
      "--type=merge",
      "-p",
      '{"spec":{"suspend":true}}',
    ]);
    await waitUntil(
      "ADDED then MODIFIED seen by the watch",
      async () => {
        if (watchError) throw watchError;
        return events.length >= 2;
      },
      { timeoutMs: 10_000 },
    );
    assert.equal(events.slice(0, 2), [
      { type: "ADDED", suspend: undefined },
      { type: "MODIFIED", suspend: true },
    ]);
  } finally {
    watching.abort();
  }
  const read = JSON.parse(
    await kubectlOk(["-n", "payments", "get", "scheduledbackup", "ledger-nightly", "-o", "json"]),
  );
  assert.is(read.spec.schedule, "0 0 2 * * *");
  assert.is(read.spec.suspend, true);
});

test("the CRD's own CEL rules are enforced by the server", async () => {
  const moved = await kube.kubectl([
    "-n",
    "payments",
    "patch",
    "scheduledbackup",
    "ledger-nightly",
    "--type=merge",
    "-p",
    '{"spec":{"cluster":{"name":"other"}}}',
  ]);
  assert.is.not(moved.code, 0);
  assert.match(moved.stderr, /cluster reference is immutable after creation/);
});

const labelPolicy = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: no-unreviewed-configmaps
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["configmaps"]
  validations:
    - expression: "!has(object.metadata.labels) || !('breakwater.dev/unreviewed' in object.metadata.labels)"
      message: ConfigMaps labelled breakwater.dev/unreviewed are not accepted
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: no-unreviewed-configmaps
spec:
  policyName: no-unreviewed-configmaps
  validationActions: [Deny]
`;

function configMap(name: string, labels: Record<string, string>): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "payments", labels },
  });
}

test("a ValidatingAdmissionPolicy denies a non-compliant object and admits a compliant one", async () => {
  await kubectlOk(["apply", "-f", "-"], { input: labelPolicy });
  const unreviewed = { "breakwater.dev/unreviewed": "yes" };
  // The policy reaches the admission plugin through an informer, so it applies a moment later.
  await waitUntil(
    "policy in force",
    async () =>
      (
        await kube.kubectl(["create", "--dry-run=server", "-f", "-"], {
          input: configMap("probe", unreviewed),
        })
      ).code !== 0,
    { timeoutMs: 20_000, intervalMs: 250 },
  );
  const denied = await kube.kubectl(["create", "-f", "-"], {
    input: configMap("limits", unreviewed),
  });
  assert.is.not(denied.code, 0);
  assert.match(denied.stderr, /ValidatingAdmissionPolicy 'no-unreviewed-configmaps'/);
  assert.match(denied.stderr, /ConfigMaps labelled breakwater.dev\/unreviewed are not accepted/);
  const absent = await kube.kubectl(["-n", "payments", "get", "configmap", "limits"]);
  assert.match(absent.stderr, /NotFound/);

  await kubectlOk(["create", "-f", "-"], {
    input: configMap("limits", { "breakwater.dev/reviewed-by": "alice" }),
  });
  // An UPDATE that adds the label is denied too, and the stored object keeps its labels.
  const relabel = await kube.kubectl([
    "-n",
    "payments",
    "label",
    "configmap",
    "limits",
    "breakwater.dev/unreviewed=yes",
  ]);
  assert.is.not(relabel.code, 0);
  assert.match(relabel.stderr, /are not accepted/);
  const stored = JSON.parse(
    await kubectlOk(["-n", "payments", "get", "configmap", "limits", "-o", "json"]),
  );
  assert.equal(stored.metadata.labels, { "breakwater.dev/reviewed-by": "alice" });
});

test("RBAC: alice cannot list secrets until a RoleBinding grants it, and bob still cannot", async () => {
  const before = await kube.kubectl(["-n", "payments", "get", "secrets"], { user: "alice" });
  assert.is.not(before.code, 0);
  assert.match(before.stderr, /User "alice" cannot list resource "secrets"/);

  await kubectlOk([
    "-n",
    "payments",
    "create",
    "role",
    "secret-reader",
    "--verb=get,list",
    "--resource=secrets",
  ]);
  await kubectlOk([
    "-n",
    "payments",
    "create",
    "rolebinding",
    "alice-reads-secrets",
    "--role=secret-reader",
    "--user=alice",
  ]);
  await waitUntil(
    "alice's binding in force",
    async () =>
      (await kube.kubectl(["-n", "payments", "get", "secrets"], { user: "alice" })).code === 0,
    { timeoutMs: 10_000 },
  );
  const bob = await kube.kubectl(["-n", "payments", "get", "secrets"], { user: "bob" });
  assert.match(bob.stderr, /User "bob" cannot list resource "secrets"/);
});

test("RBAC: a RoleBinding to the ServiceAccount breakwater-system/breakwater-operator applies to the operator token", async () => {
  const whoami = JSON.parse(
    await kubectlOk(["auth", "whoami", "-o", "json"], { user: "operator" }),
  );
  assert.is(whoami.status.userInfo.username, kubeIdentities.operator.username);
  const before = await kube.kubectl(["-n", "payments", "get", "configmaps"], { user: "operator" });
  assert.match(before.stderr, /cannot list resource "configmaps"/);

  await kubectlOk([
    "-n",
    "payments",
    "create",
    "role",
    "configmap-editor",
    "--verb=get,list,watch,update",
    "--resource=configmaps",
  ]);
  await kubectlOk([
    "-n",
    "payments",
    "create",
    "rolebinding",
    "operator-edits-configmaps",
    "--role=configmap-editor",
    "--serviceaccount=breakwater-system:breakwater-operator",
  ]);
  await waitUntil(
    "operator's binding in force",
    async () =>
      (await kube.kubectl(["-n", "payments", "get", "configmaps"], { user: "operator" })).code ===
      0,
    { timeoutMs: 10_000 },
  );
  // The grant is only for the namespace of the RoleBinding.
  const elsewhere = await kube.kubectl(["-n", "default", "get", "configmaps"], {
    user: "operator",
  });
  assert.match(elsewhere.stderr, /cannot list resource "configmaps"/);
});

test("every vendored upstream CRD in platform/crds/ installs and is served", async () => {
  const files = upstreamCrds.map((crd) => crd.file);
  assert.ok(files.length >= 16, "expected the upstream CRDs of platform/crds/");
  await applyCrds(kube, files.map(upstreamCrdPath));
  for (const file of files) {
    // Files are named <group>_<plural>.yaml.
    const [group, plural] = file.replace(/\.yaml$/, "").split("_");
    const listed = await kube.kubectl([
      "get",
      `${plural}.${group}`,
      "--all-namespaces",
      "-o",
      "name",
    ]);
    assert.is(listed.code, 0, `${file}: ${listed.stderr}`);
  }
});

test.run();
