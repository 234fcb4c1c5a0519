/**
 * @module The shape every admission policy on the control resources shares: a
 * ValidatingAdmissionPolicy on the kinds' main resources (not `<plural>/status`, so the
 * operator's status writes never reach it) with `failurePolicy: Fail`, and a binding that
 * denies.
 */
import { controlGroup, controlKinds, controlVersion } from "../../operators/crds/index";

export const policyLabels = { "app.kubernetes.io/part-of": "breakwater" };

export interface ControlPolicyOptions {
  readonly operations: readonly ("CREATE" | "UPDATE")[];
  readonly variables?: readonly { name: string; expression: string }[];
  readonly validations: readonly {
    expression: string;
    messageExpression: string;
    reason: "Forbidden" | "Invalid";
  }[];
}

/** The policy `name` and its Deny binding (admissionregistration.k8s.io/v1). */
export function controlPolicy(
  name: string,
  options: ControlPolicyOptions,
): Record<string, unknown>[] {
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name, labels: policyLabels },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [controlGroup],
              apiVersions: [controlVersion],
              operations: [...options.operations],
              resources: controlKinds.map((definition) => definition.plural),
            },
          ],
        },
        ...(options.variables ? { variables: options.variables } : {}),
        validations: options.validations,
      },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name, labels: policyLabels },
      spec: { policyName: name, validationActions: ["Deny"] },
    },
  ];
}
