/**
 * @module The RBAC the status page runs with in a cluster: list and watch the control kinds it
 * publishes, in every namespace, and nothing else (no get of Secrets, no write of any kind).
 * The charts bind it to the status page's ServiceAccount.
 */
import { controlGroup } from "../../operators/crds/index";
import type { PolicyRule } from "../../operators/rbac";
import { publishedKinds } from "./published-controls";

export const controlsReaderRole = "breakwater-status-page-controls-reader";

/** Read access to exactly the kinds `listPublishedControls` lists. */
export function controlsReaderRules(): PolicyRule[] {
  return [
    {
      apiGroups: [controlGroup],
      resources: publishedKinds().map((definition) => definition.plural),
      verbs: ["list", "watch"],
    },
  ];
}

/** The ClusterRole manifest of {@link controlsReaderRole}. */
export function controlsReaderClusterRole(): Record<string, unknown> {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: controlsReaderRole, labels: { "app.kubernetes.io/part-of": "breakwater" } },
    rules: controlsReaderRules(),
  };
}
