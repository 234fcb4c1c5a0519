/**
 * @module The cluster's namespaces, each with its ResourceQuota (and the LimitRange that lets
 * quota'd pods without explicit resources still start) and its NetworkPolicies: default deny
 * for ingress and egress, DNS allowed, and only the traffic its plan names.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NamespacePlan, NamespaceQuota } from "../namespace-plan";
import { networkPoliciesFor } from "../network-policy-specs";

/**
 * Container defaults inside a quota'd namespace: a quota on `limits.*` rejects any pod that
 * states none, and third-party charts often leave resources empty.
 */
const containerDefaults = {
  defaultRequest: { cpu: "100m", memory: "128Mi" },
  default: { cpu: "500m", memory: "512Mi" },
};

export class Namespaces extends pulumi.ComponentResource {
  /** Each namespace by its name. */
  readonly namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
  /** The ResourceQuota of each namespace that has a ceiling, by namespace name. */
  readonly quotas: Readonly<Record<string, k8s.core.v1.ResourceQuota>>;
  /** The LimitRange beside each ResourceQuota, by namespace name. */
  readonly limitRanges: Readonly<Record<string, k8s.core.v1.LimitRange>>;
  /** The NetworkPolicies of each namespace, by namespace name. */
  readonly networkPolicies: Readonly<Record<string, readonly k8s.networking.v1.NetworkPolicy[]>>;

  constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:Namespaces", name, {}, opts);
    const namespaces: Record<string, k8s.core.v1.Namespace> = {};
    const quotas: Record<string, k8s.core.v1.ResourceQuota> = {};
    const limitRanges: Record<string, k8s.core.v1.LimitRange> = {};
    const networkPolicies: Record<string, k8s.networking.v1.NetworkPolicy[]> = {};
    for (const plan of args.plans) {
      const namespace = this.createNamespace(plan);
      namespaces[plan.name] = namespace;
      const childOptions = { parent: this, dependsOn: [namespace] };
      if (plan.quota) {
        quotas[plan.name] = this.createQuota(plan.name, plan.quota, childOptions);
        limitRanges[plan.name] = this.createLimitRange(plan.name, childOptions);
      }
      networkPolicies[plan.name] = networkPoliciesFor(plan.name, plan.allow).map(
        (policy) =>
          new k8s.networking.v1.NetworkPolicy(
            `${plan.name}-${policy.name}`,
            { metadata: { name: policy.name, namespace: plan.name }, spec: policy.spec },
            childOptions,
          ),
      );
    }
    this.namespaces = namespaces;
    this.quotas = quotas;
    this.limitRanges = limitRanges;
    this.networkPolicies = networkPolicies;
    this.registerOutputs({ names: Object.keys(namespaces) });
  }

  private createNamespace(plan: NamespacePlan): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(
      plan.name,
      {
        metadata: {
          name: plan.name,
          labels: { "breakwater.dev/role": plan.role, "app.kubernetes.io/managed-by": "pulumi" },
        },
      },
      { parent: this },
    );
  }

  private createQuota(
    namespace: string,
    quota: NamespaceQuota,
    options: pulumi.CustomResourceOptions,
  ): k8s.core.v1.ResourceQuota {
    return new k8s.core.v1.ResourceQuota(
      `${namespace}-quota`,
      {
        metadata: { name: "compute", namespace },
        spec: {
          hard: {
            "requests.cpu": quota.requestsCpu,
            "requests.memory": quota.requestsMemory,
            "limits.cpu": quota.limitsCpu,
            "limits.memory": quota.limitsMemory,
            pods: String(quota.pods),
          },
        },
      },
      options,
    );
  }

  private createLimitRange(
    namespace: string,
    options: pulumi.CustomResourceOptions,
  ): k8s.core.v1.LimitRange {
    return new k8s.core.v1.LimitRange(
      `${namespace}-container-defaults`,
      {
        metadata: { name: "container-defaults", namespace },
        spec: { limits: [{ type: "Container", ...containerDefaults }] },
      },
      options,
    );
  }
}

export interface NamespacesArgs {
  /** The namespaces to create, from `planNamespaces(environment)`. */
  readonly plans: readonly NamespacePlan[];
}
