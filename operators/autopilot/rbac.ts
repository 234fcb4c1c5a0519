/**
 * @module The autopilot's permissions, exactly what it needs: create and read the control
 * kinds its rules name and annotate them (a resolution), record Events, hold its Lease and
 * publish its address on it, and keep its state ConfigMap. It cannot write a control's
 * status, finalizers or spec beyond creating it, nor approve anything. Rendered by the charts.
 */
import { controlGroup } from "../crds/common";
import { controlKinds } from "../crds/index";
import type { PolicyRule } from "../rbac";

export const autopilotNamespace = "breakwater-system";
export const autopilotServiceAccount = "breakwater-autopilot";
export const autopilotLeaseName = "breakwater-autopilot";
export const autopilotStateConfigMap = "breakwater-autopilot-state";

/** ClusterRole rules: rules may name controls in any namespace. */
export const autopilotRbacRules: PolicyRule[] = [
  {
    apiGroups: [controlGroup],
    resources: controlKinds.map((definition) => definition.plural),
    verbs: ["get", "list", "create", "patch"],
  },
  { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
];

/** Role rules in its own namespace: the Lease and the state ConfigMap, by name. */
export const autopilotNamespaceRules: PolicyRule[] = [
  // `create` cannot be limited by name: the API server does not know it before the object exists.
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
  {
    apiGroups: ["coordination.k8s.io"],
    resources: ["leases"],
    verbs: ["get", "update", "patch"],
    resourceNames: [autopilotLeaseName],
  },
  { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
  {
    apiGroups: [""],
    resources: ["configmaps"],
    verbs: ["get", "update"],
    resourceNames: [autopilotStateConfigMap],
  },
];

const labels = {
  "app.kubernetes.io/name": autopilotServiceAccount,
  "app.kubernetes.io/part-of": "breakwater",
};

/** ClusterRole, Role and their bindings to the autopilot's ServiceAccount. */
export function autopilotRbacManifests(namespace = autopilotNamespace): Record<string, unknown>[] {
  const name = autopilotServiceAccount;
  const subject = { kind: "ServiceAccount", name, namespace };
  const roleRef = (kind: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind, name });
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name, labels },
      rules: autopilotRbacRules,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels },
      roleRef: roleRef("ClusterRole"),
      subjects: [subject],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace, labels },
      rules: autopilotNamespaceRules,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace, labels },
      roleRef: roleRef("Role"),
      subjects: [subject],
    },
  ];
}
