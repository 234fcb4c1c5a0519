/**
 * @module The RBAC that decides who may act on payments' admin endpoints: ClusterRoles a
 * cluster binds to its people (the service asks a SubjectAccessReview for each request, see
 * services/kit/admin-access.ts). They name resources no CRD serves; RBAC rules need not.
 */
import type { PolicyRule } from "../../operators/rbac";

/** May list the manual review queue and decide payouts in it, and list the webhook retries queue. */
export const payoutResolverRole = "breakwater-payout-resolver";

export const payoutResolverRules: PolicyRule[] = [
  { apiGroups: ["payments.breakwater.dev"], resources: ["payouts"], verbs: ["resolve"] },
  {
    apiGroups: ["payments.breakwater.dev"],
    resources: ["payouts/manual-review"],
    verbs: ["list"],
  },
  { apiGroups: ["payments.breakwater.dev"], resources: ["webhooks"], verbs: ["list"] },
];

/** The ClusterRole manifest of {@link payoutResolverRole}. */
export function payoutResolverClusterRole(): Record<string, unknown> {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: payoutResolverRole, labels: { "app.kubernetes.io/part-of": "breakwater" } },
    rules: payoutResolverRules,
  };
}
