/**
 * @module `ServiceIdentity`: the ServiceAccount a service runs as, with the
 * `system:auth-delegator` ClusterRole bound to it where people use its admin endpoints, so
 * that with `ADMIN_IDENTITY_KUBECONFIG: in-cluster` the service may ask the API server who a
 * person's token belongs to (TokenReview) and whether RBAC allows them an admin action
 * (SubjectAccessReview), and the ClusterRoles of the objects it reads (the status page's
 * controls) bound to it. It grants nothing else.
 */
import * as plus from "cdk8s-plus-27";
import { Construct } from "constructs";

/** The built-in ClusterRole that may create TokenReviews and SubjectAccessReviews. */
export const authDelegatorRole = "system:auth-delegator";

export interface ServiceIdentityProps {
  /** The ServiceAccount's name, the service's name, e.g. `payments`. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Bind `system:auth-delegator` (people on its admin endpoints). @default true */
  readonly reviewsPeople?: boolean;
  /** ClusterRoles, by name, bound to the ServiceAccount. @default none */
  readonly clusterRoles?: readonly string[];
}

export class ServiceIdentity extends Construct {
  readonly serviceAccount: plus.ServiceAccount;

  constructor(scope: Construct, id: string, props: ServiceIdentityProps) {
    super(scope, id);
    const { name, namespace, labels } = props;
    this.serviceAccount = new plus.ServiceAccount(this, "service-account", {
      metadata: { name, namespace, labels: { ...labels } },
      automountToken: true,
    });
    const bind = (id: string, bindingName: string, role: string) =>
      new plus.k8s.KubeClusterRoleBinding(this, id, {
        metadata: { name: bindingName, labels: { ...labels } },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ kind: "ServiceAccount", name, namespace }],
      });
    if (props.reviewsPeople ?? true) {
      bind("auth-delegator", `breakwater-${name}-auth-delegator`, authDelegatorRole);
    }
    for (const role of props.clusterRoles ?? []) bind(`binds-${role}`, `${role}-${name}`, role);
  }
}
