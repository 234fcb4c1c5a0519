/**
 * @module The NetworkPolicies of one namespace: deny all ingress and egress, allow DNS, then
 * open exactly what its plan allows. Plain data, so the rules are testable without a cluster.
 */
import type { NamespaceAllowances } from "./namespace-plan";

type Labels = Record<string, string>;

/** A NetworkPolicy peer, in the `networking.k8s.io/v1` shape. */
export interface NetworkPolicyPeer {
  readonly ipBlock?: { readonly cidr: string };
  readonly namespaceSelector?: { readonly matchLabels: Labels };
  readonly podSelector?: { readonly matchLabels: Labels };
}

export interface NetworkPolicyPort {
  readonly protocol: "TCP" | "UDP";
  readonly port: number;
}

/** A NetworkPolicy spec as plain data (assignable to the Pulumi input type). */
export interface NetworkPolicySpec {
  readonly podSelector: Record<string, never>;
  readonly policyTypes: Array<"Ingress" | "Egress">;
  readonly ingress?: Array<{ from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }>;
  readonly egress?: Array<{ to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }>;
}

/** One NetworkPolicy to create in the namespace, named for what it opens. */
export interface NetworkPolicyDefinition {
  readonly name: string;
  readonly spec: NetworkPolicySpec;
}

/** Every pod of the namespace. */
const allPods: Record<string, never> = {};
/** The API server and the internet have no pod labels; an address block is all that fits. */
const anywhere: NetworkPolicyPeer = { ipBlock: { cidr: "0.0.0.0/0" } };
/** Ports the API server listens on: 443 on most managed clusters, 6443 on kubeadm ones. */
const apiServerPorts = [443, 6443];

function byNamespaceName(namespace: string): NetworkPolicyPeer {
  return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } };
}

function tcp(ports: readonly number[]): NetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: "TCP", port }));
}

/** Nothing in, nothing out, for every pod; the policies below add the exceptions. */
export function defaultDeny(): NetworkPolicyDefinition {
  return {
    name: "default-deny",
    spec: { podSelector: allPods, policyTypes: ["Ingress", "Egress"], ingress: [], egress: [] },
  };
}

/** Name resolution through the cluster DNS in kube-system, over UDP and TCP. */
export function allowDnsEgress(): NetworkPolicyDefinition {
  return {
    name: "allow-dns-egress",
    spec: {
      podSelector: allPods,
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    },
  };
}

function egressPolicy(
  name: string,
  to: NetworkPolicyPeer[],
  ports?: number[],
): NetworkPolicyDefinition {
  const rule = ports ? { to, ports: tcp(ports) } : { to };
  return { name, spec: { podSelector: allPods, policyTypes: ["Egress"], egress: [rule] } };
}

function ingressPolicy(
  name: string,
  from: NetworkPolicyPeer[] | undefined,
  ports?: number[],
): NetworkPolicyDefinition {
  const rule = { ...(from ? { from } : {}), ...(ports ? { ports: tcp(ports) } : {}) };
  return { name, spec: { podSelector: allPods, policyTypes: ["Ingress"], ingress: [rule] } };
}

/**
 * The full set for one namespace, default deny first.
 * @example networkPoliciesFor("data-plane", plan.allow).map((policy) => policy.name)
 */
export function networkPoliciesFor(
  namespace: string,
  allow: NamespaceAllowances,
): NetworkPolicyDefinition[] {
  const policies: NetworkPolicyDefinition[] = [defaultDeny(), allowDnsEgress()];
  if (allow.apiServerEgress) {
    policies.push(egressPolicy("allow-api-server-egress", [anywhere], apiServerPorts));
  }
  if (allow.sameNamespace) {
    const self = [byNamespaceName(namespace)];
    policies.push(egressPolicy("allow-same-namespace-egress", self));
    policies.push(ingressPolicy("allow-same-namespace-ingress", self));
  }
  if (allow.webhookIngressPorts.length > 0) {
    policies.push(
      ingressPolicy("allow-webhook-ingress", undefined, [...allow.webhookIngressPorts]),
    );
  }
  if (allow.internetEgressPorts.length > 0) {
    const ports = [...allow.internetEgressPorts];
    policies.push(egressPolicy("allow-internet-egress", [anywhere], ports));
  }
  const targets = allow.egressToNamespaces.filter((target) => target !== namespace);
  if (targets.length > 0) {
    policies.push(egressPolicy("allow-egress-to-namespaces", targets.map(byNamespaceName)));
  }
  const sources = allow.ingressFromNamespaces.filter((source) => source !== namespace);
  if (sources.length > 0) {
    policies.push(ingressPolicy("allow-ingress-from-namespaces", sources.map(byNamespaceName)));
  }
  return policies;
}
