/**
 * @module Four eyes on controls that require approval, enforced by the API server. Approving
 * is an RBAC permission of its own, the custom verb `approve` on the control resources
 * (granted by the ClusterRole `breakwater-approver`), checked with CEL's `authorizer` in a
 * ValidatingAdmissionPolicy. Whoever sets `ops.breakwater.dev/approved-by` must hold that
 * verb on the control, must name themselves, and must not be the control's
 * `spec.requestedBy`; the approval can never change once given, and `requires-approval`
 * never goes away from a control that has it. Every refusal says what to do instead.
 */
import { controlGroup, controlKinds } from "../../operators/crds/index";
import {
  approvedByAnnotation,
  requiresApprovalAnnotation,
} from "../../operators/reconcilers/approval";
import { controlPolicy, policyLabels } from "./control-policy";

export const fourEyesPolicyName = "breakwater-controls-four-eyes";
export const approverRoleName = "breakwater-approver";
export const approveVerb = "approve";

/** A CEL string literal. */
const literal = (value: string) => `'${value}'`;

/** The annotation `name` of `object` (a CEL variable), or '' when absent. */
function annotation(object: string, name: string): string {
  return (
    `${object} != null && has(${object}.metadata.annotations) && ` +
    `${literal(name)} in ${object}.metadata.annotations ? ` +
    `${object}.metadata.annotations[${literal(name)}] : ''`
  );
}

/** The ValidatingAdmissionPolicy, its Deny binding and the approvers' ClusterRole. */
export function fourEyesPolicyManifests(): Record<string, unknown>[] {
  const plurals = controlKinds.map((definition) => definition.plural);
  const role = literal(approverRoleName);
  return [
    ...controlPolicy(fourEyesPolicyName, {
      operations: ["CREATE", "UPDATE"],
      variables: [
        { name: "requester", expression: "request.userInfo.username" },
        { name: "approver", expression: annotation("object", approvedByAnnotation) },
        { name: "oldApprover", expression: annotation("oldObject", approvedByAnnotation) },
        {
          name: "requiresApproval",
          expression: `(${annotation("object", requiresApprovalAnnotation)}) == 'true'`,
        },
        {
          name: "requiredApproval",
          expression: `(${annotation("oldObject", requiresApprovalAnnotation)}) == 'true'`,
        },
        {
          name: "approving",
          expression: "variables.approver != '' && variables.approver != variables.oldApprover",
        },
        {
          name: "mayApprove",
          expression:
            `authorizer.group(${literal(controlGroup)}).resource(request.resource.resource)` +
            `.namespace(request.namespace).name(object.metadata.name)` +
            `.check(${literal(approveVerb)}).allowed()`,
        },
      ],
      validations: [
        {
          expression: "!variables.requiredApproval || variables.requiresApproval",
          messageExpression:
            `'${requiresApprovalAnnotation} cannot be removed from a control that requires ` +
            `approval: ask someone with the ${approverRoleName} role to approve it ` +
            `(kubectl annotate -n ' + request.namespace + ' ' + request.resource.resource + ' ' + ` +
            `object.metadata.name + ' ${approvedByAnnotation}=<their user name>), or delete the control'`,
          reason: "Forbidden",
        },
        {
          expression: "variables.oldApprover == '' || variables.approver == variables.oldApprover",
          messageExpression:
            `'this control was approved by ' + variables.oldApprover + ` +
            `' and an approval cannot be changed or withdrawn: delete the control to lift it, ` +
            `or create a new one to ask again'`,
          reason: "Forbidden",
        },
        {
          expression: "!variables.approving || variables.mayApprove",
          messageExpression:
            `'approving needs the \\'${approveVerb}\\' verb on ' + request.resource.resource + ` +
            `' in ' + request.namespace + '; you are ' + variables.requester + ` +
            `': ask someone with the ' + ${role} + ' role'`,
          reason: "Forbidden",
        },
        {
          expression: "!variables.approving || variables.approver == variables.requester",
          messageExpression:
            `'${approvedByAnnotation} must name the approving user: you are ' + ` +
            `variables.requester + ', the annotation says ' + variables.approver + ` +
            `'; annotate it with your own name'`,
          reason: "Forbidden",
        },
        {
          expression: "!variables.approving || variables.approver != object.spec.requestedBy",
          messageExpression:
            `variables.requester + ' requested this control and cannot approve it too: ask ` +
            `another person with the ' + ${role} + ' role'`,
          reason: "Forbidden",
        },
      ],
    }),
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: approverRoleName, labels: policyLabels },
      rules: [
        {
          apiGroups: [controlGroup],
          resources: plurals,
          // `approve` is checked by the policy above; patch is how the annotation is set.
          verbs: [approveVerb, "get", "list", "watch", "patch"],
        },
      ],
    },
  ];
}
