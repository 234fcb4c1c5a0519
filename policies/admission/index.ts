/**
 * @module Every admission policy on the control resources, as the operator chart installs
 * them with the CRDs: the expiry rule, requestedBy is the requester, and four eyes (with the
 * approvers' ClusterRole).
 */
import { expiryPolicyManifests } from "./expiry";
import { fourEyesPolicyManifests } from "./four-eyes";
import { requestedByPolicyManifests } from "./requested-by";

export function admissionPolicyManifests(): Record<string, unknown>[] {
  return [
    ...expiryPolicyManifests(),
    ...requestedByPolicyManifests(),
    ...fourEyesPolicyManifests(),
  ];
}
