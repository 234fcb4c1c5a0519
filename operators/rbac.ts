/**
 * @module The operator's permissions, exactly what it needs: read and finalize the control
 * resources and write their status, record Events, hold its leader Lease, and read the admin
 * token Secrets named in the targets file. Rendered by `npm run crds` to
 * `crds/generated/rbac.yaml` and by the charts.
 */

import { controlGroup } from "./crds/common";
import { controlKinds } from "./crds/index";
import { type SecretReference, type Targets, tokenSecrets } from "./targets";

/** A Kubernetes rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export const operatorNamespace = "breakwater-system";
export const operatorServiceAccount = "breakwater-operator";
/** The Lease replicas compete for. */
export const leaseName = "breakwater-operator";

const plurals = controlKinds.map((definition) => definition.plural);

/** ClusterRole rules: controls live in any namespace. */
export const operatorRbacRules: PolicyRule[] = [
  {
    apiGroups: [controlGroup],
    resources: plurals,
    verbs: ["get", "list", "watch", "patch", "update"],
  },
  {
    apiGroups: [controlGroup],
    resources: plurals.map((plural) => `${plural}/status`),
    verbs: ["get", "patch", "update"],
  },
  {
    apiGroups: [controlGroup],
    resources: plurals.map((plural) => `${plural}/finalizers`),
    verbs: ["update"],
  },
  { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
];

/** Role rules in the operator's own namespace: its leader Lease. */
export const operatorLeaseRules: PolicyRule[] = [
  // `create` cannot be limited by name: the API server does not know it before the object exists.
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
  {
    apiGroups: ["coordination.k8s.io"],
    resources: ["leases"],
    verbs: ["get", "update"],
    resourceNames: [leaseName],
  },
];

/** Role rules per namespace for the token Secrets: `get` on exactly those names. */
export function secretRulesByNamespace(secrets: readonly SecretReference[]) {
  const names = new Map<string, Set<string>>();
  for (const secret of secrets) {
    const set = names.get(secret.namespace) ?? new Set<string>();
    set.add(secret.name);
    names.set(secret.namespace, set);
  }
  return new Map(
    [...names].map(([namespace, set]): [string, PolicyRule[]] => [
      namespace,
      [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: [...set].sort() }],
    ]),
  );
}

const labels = {
  "app.kubernetes.io/name": "breakwater-operator",
  "app.kubernetes.io/part-of": "breakwater",
};
const subject = {
  kind: "ServiceAccount",
  name: operatorServiceAccount,
  namespace: operatorNamespace,
};

/** ClusterRole, Roles and their bindings to the operator's ServiceAccount. */
export function rbacManifests(targets: Targets): Record<string, unknown>[] {
  const roles = new Map<string, PolicyRule[]>([[operatorNamespace, [...operatorLeaseRules]]]);
  for (const [namespace, rules] of secretRulesByNamespace(tokenSecrets(targets))) {
    roles.set(namespace, [...(roles.get(namespace) ?? []), ...rules]);
  }
  const name = operatorServiceAccount;
  const manifests: Record<string, unknown>[] = [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name, labels },
      rules: operatorRbacRules,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [subject],
    },
  ];
  for (const [namespace, rules] of [...roles].sort(([a], [b]) => a.localeCompare(b))) {
    manifests.push(
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name, namespace, labels },
        rules,
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name, namespace, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
        subjects: [subject],
      },
    );
  }
  return manifests;
}
