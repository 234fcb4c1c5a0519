/**
 * @module Controls from git against a real API server, real payments replicas and the
 * operator: the files of an environment's controls folder pass synth's check and are
 * server-side applied as Argo CD's application controller syncs them (its identity, its field
 * manager, its tracking annotation); the halt is enforced like one applied with kubectl, a
 * halt a person applied with kubectl carries no tracking annotation (so Argo CD never prunes
 * it), and Argo CD's prune of a removed file lifts the halt.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, stringify } from "yaml";
import { controlsApplicationName } from "../../charts/controls-application";
import { controlsPath, readControlsFolder } from "../../charts/controls-folder";
import { loadEnvironment } from "../../environments";
import type { RunningOperator } from "../../operators/operator";
import { requestedByPolicyManifests } from "../../policies/admission/requested-by";
import { type KubeCluster, startKube } from "../harness/kube";
import { makeTempDir, waitUntil } from "../harness/process";
import { getJson, installControls, kubectlOk, setup, withdrawalHaltYaml } from "./cluster";
import { createTokenSecret, startOperatorInProcess, writeTargets } from "./operator-runner";
import {
  adminToken,
  allAccept,
  allRefuse,
  type PaymentsReplicas,
  startPaymentsReplicas,
} from "./payments-replicas";

const root = resolve(import.meta.dirname, "..", "..");
const environment = loadEnvironment("dev");
const namespace = environment.namespaces.services.name;
const argoCd = "system:serviceaccount:argocd:argocd-application-controller";
const trackingAnnotation = "argocd.argoproj.io/tracking-id";

let cluster: KubeCluster;
let payments: PaymentsReplicas;
let operator: RunningOperator;

/**
 * Argo CD's controller may manage controls (its chart grants it every resource); on-call
 * people may too (the charts ship no human RBAC yet).
 */
const access = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: argocd-controls }
rules: [{ apiGroups: [ops.breakwater.dev], resources: ["*"], verbs: ["*"] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: argocd-controls }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: argocd-controls }
subjects:
  - { kind: ServiceAccount, namespace: argocd, name: argocd-application-controller }
  - { apiGroup: rbac.authorization.k8s.io, kind: Group, name: "breakwater:oncall" }
`;

/** A repository checkout whose dev controls folder holds the examples. */
function gitFolder(): string {
  const dir = makeTempDir("controls-git");
  const folder = join(dir, controlsPath(environment));
  mkdirSync(folder, { recursive: true });
  const examples = join(root, "environments", "controls", "examples");
  for (const file of readdirSync(examples)) copyFileSync(join(examples, file), join(folder, file));
  return dir;
}

/** What Argo CD's sync sends for one object: its tracking annotation added, applied server-side. */
async function syncAsArgoCd(object: Record<string, unknown>): Promise<void> {
  const metadata = object.metadata as { name: string; annotations?: Record<string, string> };
  const tracking = `${controlsApplicationName(environment)}:ops.breakwater.dev/${object.kind}:${namespace}/${metadata.name}`;
  const synced = {
    ...object,
    metadata: {
      ...metadata,
      annotations: { ...metadata.annotations, [trackingAnnotation]: tracking },
    },
  };
  await kubectlOk(
    cluster,
    ["apply", "--server-side", "--field-manager=argocd-controller", `--as=${argoCd}`, "-f", "-"],
    { input: stringify(synced) },
  );
}

test.before(
  setup(async () => {
    [cluster, payments] = await Promise.all([startKube(), startPaymentsReplicas(2)]);
    await installControls(cluster);
    await kubectlOk(cluster, ["create", "namespace", "argocd"]);
    await kubectlOk(cluster, ["apply", "-f", "-"], {
      input: [access, ...requestedByPolicyManifests().map((m) => stringify(m))].join("---\n"),
    });
    // The requestedBy policy is in force once bob cannot ask in alice's name.
    await waitUntil(
      "the requestedBy policy is in force",
      async () => {
        const probe = await cluster.kubectl(["create", "--dry-run=server", "-f", "-"], {
          user: "bob",
          input: withdrawalHaltYaml("probe", { namespace, requestedBy: "alice" }),
        });
        return probe.code !== 0;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    await createTokenSecret(cluster, adminToken);
    operator = await startOperatorInProcess(cluster, {
      OPERATOR_TARGETS_FILE: writeTargets({ paymentsUrl: payments.urls[0]! }),
    });
  }),
);

test.after(async () => {
  await operator?.stop();
  await Promise.all([cluster?.stop(), payments?.stop()]);
});

test("a merged control file, synced by Argo CD, is enforced like kubectl apply", async () => {
  const read = readControlsFolder(environment, gitFolder());
  assert.equal(read.problems, []);
  assert.ok(await allAccept(payments.urls, "BTC"));
  for (const { object } of read.files) await syncAsArgoCd(object);
  await kubectlOk(cluster, [
    ...["wait", "--for=condition=Enforced", "withdrawalhalt/halt-btc-withdrawals"],
    ...["-n", namespace, "--timeout=60s"],
  ]);
  assert.ok(await allRefuse(payments.urls, "BTC"));
  const halt = JSON.parse(
    await kubectlOk(cluster, [
      ...["get", "withdrawalhalt/halt-btc-withdrawals", "-n", namespace],
      ...["-o", "json", "--show-managed-fields"],
    ]),
  ) as { spec: { requestedBy: string }; metadata: { managedFields: { manager: string }[] } };
  // The person who proposed it by pull request, not Argo CD, is who asked.
  assert.is(halt.spec.requestedBy, "alice");
  assert.ok(halt.metadata.managedFields.some((field) => field.manager === "argocd-controller"));
  // The SymbolMode from the same folder was accepted as well.
  await getJson(cluster, "symbolmode/btc-usd-cancel-only", namespace);
});

test("a control applied with kubectl carries no tracking annotation, so Argo CD never prunes it", async () => {
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    user: "alice",
    input: withdrawalHaltYaml("halt-eth", { namespace, currencies: ["ETH"] }),
  });
  await kubectlOk(cluster, [
    ...["wait", "--for=condition=Enforced", "withdrawalhalt/halt-eth", "-n", namespace],
    "--timeout=60s",
  ]);
  const halt = await getJson<{ metadata: { annotations?: Record<string, string> } }>(
    cluster,
    "withdrawalhalt/halt-eth",
    namespace,
  );
  assert.is(halt.metadata.annotations?.[trackingAnnotation], undefined);
});

test("removing the file lifts the control: Argo CD prunes it and its finalizer lifts it", async () => {
  // Argo CD prunes what it tracks and git no longer declares: exactly halt-btc-withdrawals.
  const listed = JSON.parse(
    await kubectlOk(cluster, ["get", "withdrawalhalts", "-n", namespace, "-o", "json"]),
  ) as { items: { metadata: { name: string; annotations?: Record<string, string> } }[] };
  const tracked = listed.items.filter((item) =>
    item.metadata.annotations?.[trackingAnnotation]?.startsWith(
      `${controlsApplicationName(environment)}:`,
    ),
  );
  assert.equal(
    tracked.map((item) => item.metadata.name),
    ["halt-btc-withdrawals"],
  );
  await kubectlOk(cluster, [
    ...["delete", "withdrawalhalt/halt-btc-withdrawals", "-n", namespace, `--as=${argoCd}`],
    "--wait=true",
  ]);
  await waitUntil("BTC payouts flow again", () => allAccept(payments.urls, "BTC"), {
    timeoutMs: 30_000,
  });
  assert.ok(await allRefuse(payments.urls, "ETH"), "the kubectl halt stays in force");
});

test("the example files are what the README shows", () => {
  const readme = readFileSync(join(root, "environments", "controls", "README.md"), "utf8");
  for (const file of readdirSync(join(root, "environments", "controls", "examples"))) {
    const object = parse(
      readFileSync(join(root, "environments", "controls", "examples", file), "utf8"),
    ) as { kind: string; metadata: { name: string } };
    assert.match(readme, `examples/${file}`);
    assert.match(readme, object.metadata.name);
  }
});

test.run();
