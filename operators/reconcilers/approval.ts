/**
 * @module Human approval of a control. A control that carries the annotation
 * `ops.breakwater.dev/requires-approval: "true"` (automation rules in approval mode mark actions that way) is
 * not enforced or run until someone sets `ops.breakwater.dev/approved-by: <user>`; until
 * then it is Pending with condition Approved=False. Who may approve is checked by the API
 * server (policies/admission/four-eyes.ts: the `approve` verb, never the requester); the
 * operator only waits.
 */
import type { ConditionInput } from "../runtime/conditions";
import type { ControlObject } from "../runtime/resource";

export const requiresApprovalAnnotation = "ops.breakwater.dev/requires-approval";
export const approvedByAnnotation = "ops.breakwater.dev/approved-by";

export function awaitingApproval(object: ControlObject): boolean {
  const annotations = object.metadata.annotations ?? {};
  return annotations[requiresApprovalAnnotation] === "true" && !annotations[approvedByAnnotation];
}

/** The Approved condition for `object`. */
export function approvalCondition(object: ControlObject): ConditionInput {
  const annotations = object.metadata.annotations ?? {};
  if (annotations[requiresApprovalAnnotation] !== "true") {
    return {
      type: "Approved",
      status: true,
      reason: "NotRequired",
      message: "no approval required",
    };
  }
  const approver = annotations[approvedByAnnotation];
  return approver
    ? { type: "Approved", status: true, reason: "Approved", message: `approved by ${approver}` }
    : {
        type: "Approved",
        status: false,
        reason: "AwaitingApproval",
        message: `waiting for approval: someone with the breakwater-approver role other than ${object.spec.requestedBy} annotates it ${approvedByAnnotation}=<their user name>`,
      };
}
