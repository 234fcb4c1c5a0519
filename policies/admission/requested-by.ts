/**
 * @module The admission policy behind `spec.requestedBy`: a control names the user who asked
 * for it, so on CREATE it must be the requesting user (save for the identities that apply
 * controls on someone else's behalf), and on UPDATE it can never change, for anyone.
 */
import { controlPolicy } from "./control-policy";

export const requestedByPolicyName = "breakwater-controls-requested-by-requester";

/** The username the API server gives a ServiceAccount's token. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * Who may create a control naming someone else in `spec.requestedBy`: Argo CD's application
 * controller, which syncs controls committed to git on their author's behalf; the git history
 * is the record. The platform installs Argo CD's chart into the gitops namespace (`argocd` in
 * every environment, platform/components/argo-cd.ts), whose controller ServiceAccount keeps
 * the chart's name; a test fails if an environment moves it. The alert autopilot is not
 * exempt: it runs as its own ServiceAccount and names itself (the alert is in the control's
 * reason and labels). Nobody is exempt from the rule that `requestedBy` never changes.
 */
export const onBehalfRequesters: readonly string[] = [
  serviceAccountUsername("argocd", "argocd-application-controller"),
];

/** The ValidatingAdmissionPolicy and its binding (admissionregistration.k8s.io/v1). */
export function requestedByPolicyManifests(): Record<string, unknown>[] {
  return controlPolicy(requestedByPolicyName, {
    operations: ["CREATE", "UPDATE"],
    variables: [
      { name: "requester", expression: "request.userInfo.username" },
      {
        name: "onBehalf",
        // A JSON array of strings is also a CEL list literal.
        expression: `variables.requester in ${JSON.stringify(onBehalfRequesters)}`,
      },
    ],
    validations: [
      {
        expression:
          "request.operation != 'CREATE' || variables.onBehalf || " +
          "object.spec.requestedBy == variables.requester",
        messageExpression:
          "'spec.requestedBy must be the requesting user: you are ' + variables.requester + " +
          "', the spec says ' + object.spec.requestedBy",
        reason: "Forbidden",
      },
      {
        expression:
          "request.operation != 'UPDATE' || " +
          "object.spec.requestedBy == oldObject.spec.requestedBy",
        messageExpression:
          "'spec.requestedBy cannot change: it records who asked for this control (' + " +
          "oldObject.spec.requestedBy + '), not ' + object.spec.requestedBy + " +
          "'; create a new control instead'",
        reason: "Invalid",
      },
    ],
  });
}
