/**
 * @module A real kube-apiserver with the control CRDs and every admission policy exactly as
 * the operator chart renders them for prod, plus the access people and service accounts
 * have in the tests: on-call people (alice, bob, carol) edit controls, alice and bob are
 * bound to the approvers' ClusterRole (carol is not), the operator and the autopilot have
 * their real ClusterRoles, and Argo CD's ServiceAccounts may create controls.
 */
import { join } from "node:path";
import type { Test } from "uvu";
import { stringify } from "yaml";
import { renderEnvironment } from "../../charts/render";
import { loadEnvironment } from "../../environments";
import { autopilotRbacManifests } from "../../operators/autopilot/rbac";
import { generatedDir } from "../../operators/crds/generate";
import { controlGroup, controlKinds } from "../../operators/crds/index";
import { operatorRbacRules } from "../../operators/rbac";
import { approverRoleName } from "../../policies/admission/four-eyes";
import { applyCrds, type KubeCluster, type KubeUser, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { kubectlOk, setup, withdrawalHaltYaml } from "../operator/cluster";

export const namespace = "payments";

/** The admission policies, their bindings and the approvers' role as `npm run synth` renders them. */
export const renderedPolicies = renderEnvironment(loadEnvironment("prod"))
  .map(({ object }) => object)
  .filter(
    (object) =>
      object.kind.startsWith("ValidatingAdmissionPolicy") ||
      (object.kind === "ClusterRole" && object.metadata.name === approverRoleName),
  );

export const plurals = controlKinds.map((definition) => definition.plural);

const clusterRoleBinding = (name: string, role: string, subjects: unknown[]) => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRoleBinding",
  metadata: { name },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
  subjects,
});

const user = (name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name });

const access = [
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "controls-editor" },
    rules: [
      {
        apiGroups: [controlGroup],
        resources: plurals,
        verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
      },
    ],
  },
  clusterRoleBinding("controls-editor", "controls-editor", [
    { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "breakwater:oncall" },
    { kind: "ServiceAccount", namespace: "argocd", name: "argocd-application-controller" },
    { kind: "ServiceAccount", namespace: "argocd", name: "argocd-server" },
  ]),
  clusterRoleBinding("approvers", approverRoleName, [user("alice"), user("bob")]),
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "operator-under-test" },
    rules: operatorRbacRules,
  },
  clusterRoleBinding("operator-under-test", "operator-under-test", [
    { kind: "ServiceAccount", namespace: "breakwater-system", name: "breakwater-operator" },
  ]),
  ...autopilotRbacManifests(),
];

export function toYaml(object: unknown): string {
  return stringify(object, { lineWidth: 0 });
}

/** A server-side dry-run create as `user`. */
export function dryRun(kube: KubeCluster, yaml: string, user: KubeUser = "alice") {
  return kube.kubectl(["create", "--dry-run=server", "-f", "-"], { user, input: yaml });
}

/** The message the requestedBy policy gives `user` who wrote `requestedBy`. */
export const deniedFor = (user: string, requestedBy: string) =>
  `spec.requestedBy must be the requesting user: you are ${user}, the spec says ${requestedBy}`;

/** Start the API server, install CRDs, namespaces, access and policies; wait until enforced. */
export async function startPolicyCluster(): Promise<KubeCluster> {
  const kube = await startKube();
  await applyCrds(
    kube,
    plurals.map((plural) => join(generatedDir, `${controlGroup}_${plural}.yaml`)),
  );
  for (const name of [namespace, "breakwater-system", "argocd"]) {
    await kubectlOk(kube, ["create", "namespace", name]);
  }
  await kubectlOk(kube, ["apply", "-f", "-"], {
    input: [...renderedPolicies, ...access].map(toYaml).join("---\n"),
  });
  // The API server enforces a policy only once it has compiled it and seen its binding.
  await waitUntil(
    "the admission policies are in force",
    async () => {
      const requester = await dryRun(
        kube,
        withdrawalHaltYaml("probe-requester", { requestedBy: "bob" }),
      );
      const expiry = await dryRun(
        kube,
        withdrawalHaltYaml("probe-expiry", { expiresAt: "2000-01-01T00:00:00Z" }),
      );
      const approval = await dryRun(
        kube,
        withdrawalHaltYaml("probe-approval", { requestedBy: "carol" }).replace(
          "  namespace: payments\n",
          "  namespace: payments\n  annotations: { ops.breakwater.dev/approved-by: carol }\n",
        ),
        "carol",
      );
      return (
        requester.stderr.includes(deniedFor("alice", "bob")) &&
        expiry.stderr.includes("spec.expiresAt must be in the future") &&
        approval.stderr.includes("approving needs the 'approve' verb")
      );
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  return kube;
}

/**
 * Start the policy cluster before `suite`'s tests and stop it after.
 * @example const kube = usePolicyCluster(test); ... kube().kubectl([...])
 */
export function usePolicyCluster(suite: Test): () => KubeCluster {
  let kube: KubeCluster | undefined;
  suite.before(
    setup(async () => {
      kube = await startPolicyCluster();
    }),
  );
  suite.after(async () => {
    await kube?.stop();
  });
  return () => {
    if (!kube) throw new Error("the policy cluster did not start");
    return kube;
  };
}
