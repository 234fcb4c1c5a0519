/**
 * @module The admission rule a CRD schema cannot express: `expiresAt` in the future when a
 * control is created. Kubernetes CEL has no clock (validation must be re-evaluable), so a
 * CRD rule cannot compare with "now"; but by the time validating admission runs on CREATE
 * the API server has stamped `metadata.creationTimestamp`, so a ValidatingAdmissionPolicy
 * compares against that. Updates are not checked, so an expired control can still be edited.
 */
import { controlPolicy } from "./control-policy";

export const expiryPolicyName = "breakwater-controls-expire-in-future";

/** The ValidatingAdmissionPolicy and its binding (admissionregistration.k8s.io/v1). */
export function expiryPolicyManifests(): Record<string, unknown>[] {
  return controlPolicy(expiryPolicyName, {
    operations: ["CREATE"],
    validations: [
      {
        expression:
          "!has(object.spec.expiresAt) || !has(object.metadata.creationTimestamp) || " +
          "timestamp(object.spec.expiresAt) > timestamp(object.metadata.creationTimestamp)",
        messageExpression:
          "'spec.expiresAt must be in the future when the control is created: ' + " +
          "string(object.spec.expiresAt) + ' is not after ' + " +
          "string(object.metadata.creationTimestamp)",
        reason: "Invalid",
      },
    ],
  });
}
