/**
 * @module Who a person calling an admin endpoint is, and whether RBAC lets them do it: their
 * bearer token is reviewed by the Kubernetes API (TokenReview) and the action is authorized
 * by a SubjectAccessReview, so the cluster's RBAC — not a shared secret — decides who may
 * resolve a payout or lift a control, and the audit records the authenticated name.
 */
import { KubeConfig } from "@kubernetes/client-node";
import {
  type ClusterConnection,
  createKubeApi,
  type KubeApi,
} from "../../operators/runtime/kube-api";
import { ConfigError } from "./config";

/** A person (or workload) as the Kubernetes API authenticated them. */
export interface Person {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/**
 * What an admin request does, as RBAC names it (a SubjectAccessReview's resourceAttributes).
 * The resource need not exist in the cluster: RBAC rules may name any group, resource and
 * verb, e.g. `resolve` on `payouts` in `payments.breakwater.dev`.
 */
export interface AccessAttributes {
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  readonly subresource?: string;
  readonly name?: string;
  readonly namespace?: string;
}

export interface AccessDecision {
  readonly allowed: boolean;
  /** The authorizer's reason, when it gave one. */
  readonly reason: string;
}

/** Authenticates tokens and authorizes actions; one per replica. */
export interface IdentityReviewer {
  /** The person the token belongs to, or undefined when the API server does not accept it. */
  authenticate(token: string): Promise<Person | undefined>;
  authorize(person: Person, attributes: AccessAttributes): Promise<AccessDecision>;
}

interface TokenReview {
  readonly status?: {
    readonly authenticated?: boolean;
    readonly user?: {
      readonly username?: string;
      readonly uid?: string;
      readonly groups?: string[];
      readonly extra?: Record<string, string[]>;
    };
    readonly error?: string;
  };
}

interface SubjectAccessReview {
  readonly status?: {
    readonly allowed?: boolean;
    readonly denied?: boolean;
    readonly reason?: string;
  };
}

/**
 * Load the kubeconfig named by `ADMIN_IDENTITY_KUBECONFIG`: a file path, or `in-cluster` for
 * the pod's ServiceAccount (which needs the `system:auth-delegator` ClusterRole to create
 * TokenReviews and SubjectAccessReviews).
 */
export function identityConnection(setting: string): ClusterConnection {
  const config = new KubeConfig();
  try {
    if (setting === "in-cluster") config.loadFromCluster();
    else config.loadFromFile(setting);
  } catch (error) {
    throw new ConfigError(
      "ADMIN_IDENTITY_KUBECONFIG",
      `ADMIN_IDENTITY_KUBECONFIG: expected a readable kubeconfig or "in-cluster", got "${setting}" (${(error as Error).message.split("\n")[0]})`,
    );
  }
  if (!config.getCurrentCluster()) {
    throw new ConfigError(
      "ADMIN_IDENTITY_KUBECONFIG",
      `ADMIN_IDENTITY_KUBECONFIG: expected a kubeconfig with a current cluster, got "${setting}"`,
    );
  }
  return config;
}

/** A reviewer that asks the Kubernetes API server behind `api`. */
export function kubernetesReviewer(api: KubeApi): IdentityReviewer {
  return {
    async authenticate(token) {
      const review = await api.create<TokenReview>("/apis/authentication.k8s.io/v1/tokenreviews", {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        spec: { token },
      });
      const user = review.status?.user;
      if (review.status?.authenticated !== true || !user?.username) return undefined;
      return {
        username: user.username,
        uid: user.uid,
        groups: user.groups ?? [],
        extra: user.extra,
      };
    },
    async authorize(person, attributes) {
      const review = await api.create<SubjectAccessReview>(
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: {
            user: person.username,
            uid: person.uid,
            groups: person.groups,
            extra: person.extra,
            resourceAttributes: attributes,
          },
        },
      );
      return {
        allowed: review.status?.allowed === true && review.status.denied !== true,
        reason: review.status?.reason ?? "",
      };
    },
  };
}

/** The reviewer for a service's `ADMIN_IDENTITY_KUBECONFIG`, or undefined when it is unset. */
export function reviewerFromSetting(setting: string | undefined): IdentityReviewer | undefined {
  return setting === undefined
    ? undefined
    : kubernetesReviewer(createKubeApi(identityConnection(setting)));
}
