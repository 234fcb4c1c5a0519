/**
 * @module Four eyes on the local platform, as the charts install it in a cluster: the
 * four-eyes admission policy with the approvers' ClusterRole bound to the on-call group, so
 * alice, bob and carol may approve each other's controls and never their own (an
 * EscrowResolution above escrow's approval amount waits for it).
 */
import { stringify } from "yaml";
import { approverRoleName, fourEyesPolicyManifests } from "../policies/admission/four-eyes";
import type { KubeCluster } from "../test/harness/kube";
import { waitUntil } from "../test/harness/process";
import { kubectlOk } from "../test/operator/cluster";

const onCallGroup = "breakwater:oncall";

/** A control alice asks for and approves herself: what the policy must refuse. */
const selfApproved = stringify({
  apiVersion: "ops.breakwater.dev/v1alpha1",
  kind: "WithdrawalHalt",
  metadata: {
    name: "probe-four-eyes",
    namespace: "payments",
    annotations: {
      "ops.breakwater.dev/requires-approval": "true",
      "ops.breakwater.dev/approved-by": "alice",
    },
  },
  spec: {
    reason: "probe that four eyes are in force",
    ticket: "INC-1",
    requestedBy: "alice",
  },
});

/** Install the policy and the approvers' binding; resolve once the API server enforces it. */
export async function installFourEyes(kube: KubeCluster): Promise<void> {
  const binding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "breakwater-oncall-approvers" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: approverRoleName },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: onCallGroup }],
  };
  await kubectlOk(kube, ["apply", "-f", "-"], {
    input: [...fourEyesPolicyManifests(), binding].map((item) => stringify(item)).join("---\n"),
  });
  await waitUntil(
    "the four-eyes admission policy is in force",
    async () => {
      const probe = await kube.kubectl(["apply", "--dry-run=server", "-f", "-"], {
        input: selfApproved,
        user: "alice",
      });
      return probe.code !== 0 && probe.stderr.includes("cannot approve it too");
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}
