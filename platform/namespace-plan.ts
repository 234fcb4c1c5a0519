/**
 * @module Which namespaces a cluster gets, how big each may grow, and which traffic each one
 * needs beyond the default deny: derived once from the environment, so the Pulumi components
 * only turn this plan into objects.
 */
import type { Environment } from "../environments";

/** Compute and pod ceilings of one namespace, in Kubernetes quantities. */
export interface NamespaceQuota {
  readonly requestsCpu: string;
  readonly requestsMemory: string;
  readonly limitsCpu: string;
  readonly limitsMemory: string;
  readonly pods: number;
}

/**
 * The traffic a namespace needs on top of "deny everything, allow DNS". NetworkPolicies add
 * up, so the charts may open more for their own workloads (a service's ingress, for example).
 */
export interface NamespaceAllowances {
  /** Egress to the Kubernetes API server (operators, controllers, CNPG instance managers). */
  readonly apiServerEgress: boolean;
  /** Pods of the namespace talk to each other (replication, an operator's own parts). */
  readonly sameNamespace: boolean;
  /** Admission webhook ports the API server calls; it is not a pod, so no selector fits. */
  readonly webhookIngressPorts: readonly number[];
  /** Ports reachable outside the cluster: git and Helm repositories, the object store. */
  readonly internetEgressPorts: readonly number[];
  /** Namespaces this one may open connections to. */
  readonly egressToNamespaces: readonly string[];
  /** Namespaces that may open connections into this one. */
  readonly ingressFromNamespaces: readonly string[];
}

/** One namespace as the platform creates it. */
export interface NamespacePlan {
  readonly name: string;
  /** What the namespace is for; becomes the `breakwater.dev/role` label. */
  readonly role: string;
  /** Absent when the environment sets no ceiling for it. */
  readonly quota?: NamespaceQuota;
  readonly allow: NamespaceAllowances;
}

/** The operators' namespaces are fixed: the charts and the CRDs' webhooks name them. */
export const operatorNamespaceNames = {
  certManager: "cert-manager",
  cloudNativePg: "cnpg-system",
  redpanda: "redpanda-system",
  redis: "redis-operator",
} as const;

/** Operators are small; this ceiling stops a crash-looping controller from eating a node. */
const operatorQuota: NamespaceQuota = {
  requestsCpu: "2",
  requestsMemory: "4Gi",
  limitsCpu: "4",
  limitsMemory: "8Gi",
  pods: 30,
};

const httpsPort = 443;
const sshPort = 22;

function allowances(overrides: Partial<NamespaceAllowances>): NamespaceAllowances {
  return {
    apiServerEgress: false,
    sameNamespace: false,
    webhookIngressPorts: [],
    internetEgressPorts: [],
    egressToNamespaces: [],
    ingressFromNamespaces: [],
    ...overrides,
  };
}

/**
 * Every namespace of the environment's cluster, in creation order.
 * @example planNamespaces(loadEnvironment("prod")).map((n) => n.name)
 * // ["breakwater-system", "data-plane", "breakwater-services", "monitoring", "argocd",
 * //  "cert-manager", "cnpg-system", "redpanda-system", "redis-operator"]
 */
export function planNamespaces(environment: Environment): NamespacePlan[] {
  const names = {
    system: environment.namespaces.system.name,
    data: environment.namespaces.data.name,
    services: environment.namespaces.services.name,
    monitoring: environment.namespaces.monitoring.name,
    gitops: environment.namespaces.gitops.name,
    ...operatorNamespaceNames,
  };
  const everyNamespace = Object.values(names);
  const scrapedBy = [names.monitoring];
  const plans: NamespacePlan[] = [
    {
      name: names.system,
      role: "system",
      quota: environment.namespaces.system.quota,
      // The control operator calls each service's admin API, flushes Redis locks in the data
      // plane, and watches its CRDs; Alertmanager calls the autopilot's webhook.
      allow: allowances({
        apiServerEgress: true,
        sameNamespace: true,
        egressToNamespaces: [names.services, names.data],
        ingressFromNamespaces: scrapedBy,
      }),
    },
    {
      name: names.data,
      role: "data",
      quota: environment.namespaces.data.quota,
      // CNPG instance managers use the API server; WAL and base backups go to the object store.
      allow: allowances({
        apiServerEgress: true,
        sameNamespace: true,
        internetEgressPorts: [httpsPort],
        ingressFromNamespaces: [
          names.services,
          names.system,
          names.cloudNativePg,
          names.redpanda,
          names.redis,
          names.monitoring,
        ],
      }),
    },
    {
      name: names.services,
      role: "services",
      quota: environment.namespaces.services.quota,
      // Nothing beyond DNS here: each service's own NetworkPolicy (rendered by the charts)
      // opens exactly its ports, and a broader namespace rule would override it.
      allow: allowances({}),
    },
    {
      name: names.monitoring,
      role: "monitoring",
      quota: environment.namespaces.monitoring.quota,
      // Prometheus scrapes every namespace; Alertmanager reaches its receivers over HTTPS.
      allow: allowances({
        apiServerEgress: true,
        sameNamespace: true,
        webhookIngressPorts: [10250],
        internetEgressPorts: [httpsPort],
        egressToNamespaces: everyNamespace,
      }),
    },
    {
      name: names.gitops,
      role: "gitops",
      quota: environment.namespaces.gitops.quota,
      // Argo CD pulls from git (HTTPS or SSH) and applies to the API server.
      allow: allowances({
        apiServerEgress: true,
        sameNamespace: true,
        internetEgressPorts: [httpsPort, sshPort],
        ingressFromNamespaces: scrapedBy,
      }),
    },
    operatorNamespace(names.certManager, "cert-manager", [10250], [], [httpsPort], scrapedBy),
    operatorNamespace(names.cloudNativePg, "cloudnative-pg", [9443], [names.data], [], scrapedBy),
    operatorNamespace(names.redpanda, "redpanda-operator", [9443], [names.data], [], scrapedBy),
    // No webhook (the chart's is off): the operator only configures replication and Sentinel
    // by talking to the Redis pods in the data plane.
    operatorNamespace(names.redis, "redis-operator", [], [names.data], [], scrapedBy),
  ];
  return plans;
}

function operatorNamespace(
  name: string,
  role: string,
  webhookIngressPorts: readonly number[],
  egressToNamespaces: readonly string[],
  internetEgressPorts: readonly number[],
  ingressFromNamespaces: readonly string[],
): NamespacePlan {
  return {
    name,
    role,
    quota: operatorQuota,
    allow: allowances({
      apiServerEgress: true,
      sameNamespace: true,
      webhookIngressPorts,
      egressToNamespaces,
      internetEgressPorts,
      ingressFromNamespaces,
    }),
  };
}
