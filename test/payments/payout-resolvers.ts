/**
 * @module A real API server whose RBAC decides who may act on payments' admin endpoints:
 * alice holds the shipped `breakwater-payout-resolver` ClusterRole, carol may change
 * payments' controls break-glass, bob is on call with neither. Payments replicas review
 * tokens against it through `ADMIN_IDENTITY_KUBECONFIG`.
 */
import { stringify } from "yaml";
import { payoutResolverClusterRole, payoutResolverRole } from "../../services/payments/admin-roles";
import { type KubeCluster, type KubeUser, startKube } from "../harness/kube";

export interface ResolverCluster {
  readonly cluster: KubeCluster;
  /** What a payments replica needs to review people's tokens against this cluster. */
  readonly env: Record<string, string>;
  /** `Authorization` of a person of the token file. */
  as(user: KubeUser): { authorization: string };
  stop(): Promise<void>;
}

const bindings = [
  payoutResolverClusterRole(),
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "alice-resolves-payouts" },
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: payoutResolverRole,
    },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "alice" }],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "payments-break-glass" },
    rules: [
      {
        apiGroups: ["ops.breakwater.dev"],
        resources: ["controls"],
        resourceNames: ["payments"],
        verbs: ["get", "update", "delete"],
      },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "carol-break-glass" },
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "payments-break-glass",
    },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "carol" }],
  },
];

/** Start the API server and install the roles and bindings. */
export async function startResolverCluster(): Promise<ResolverCluster> {
  const cluster = await startKube();
  try {
    const input = bindings.map((manifest) => stringify(manifest)).join("---\n");
    const applied = await cluster.kubectl(["apply", "-f", "-"], { input });
    if (applied.code !== 0) throw new Error(`kubectl apply: ${applied.stderr.trim()}`);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return {
    cluster,
    env: { ADMIN_IDENTITY_KUBECONFIG: cluster.kubeconfigPath },
    as: (user) => ({ authorization: `Bearer ${cluster.tokens[user]}` }),
    stop: () => cluster.stop(),
  };
}
