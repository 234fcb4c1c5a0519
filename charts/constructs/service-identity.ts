/**
 * @module `ServiceIdentity`: the ServiceAccount a domain service runs as, with the
 * `system:auth-delegator` ClusterRole bound to it, so that with `ADMIN_IDENTITY_KUBECONFIG:
 * in-cluster` the service may ask the API server who a person's token belongs to
 * (TokenReview) and whether RBAC allows them an admin action (SubjectAccessReview). It grants
 * nothing else: the service reads no Kubernetes object.
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
    new plus.k8s.KubeClusterRoleBinding(this, "auth-delegator", {
      metadata: { name: `breakwater-${name}-auth-delegator`, labels: { ...labels } },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: authDelegatorRole,
      },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    });
  }
}
