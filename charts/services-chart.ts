/**
 * @module The services: one `HonoService` per enabled service, configured from the
 * environment and reaching only PostgreSQL, Redis and Redpanda in the data namespace, and the
 * services it calls (the edge: the exchange).
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { type Environment, type ServiceName, serviceNames } from "../environments";
import { HonoService } from "./constructs/hono-service";
import { ServiceIdentity } from "./constructs/service-identity";
import {
  kafkaBrokers,
  kafkaPort,
  postgresPort,
  redisPort,
  redisSentinelPort,
  servicePort,
} from "./conventions";
import { componentLabels, selectorLabels } from "./labels";
import { poolSelector } from "./node-pools";
import { includeManifest } from "./program-container";
import { kafkaTlsEnabled, saslMechanism } from "./redpanda-chart";
import { ReleaseHooks } from "./release-hooks";
import { commonSecrets, hasReadReplicas, serviceCatalog } from "./service-catalog";
import { tracingEgress, tracingEnvironment } from "./tracing";

export class ServicesChart extends Chart {
  readonly services: HonoService[] = [];

  constructor(scope: Construct, id: string, environment: Environment) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const name of serviceNames) {
      if (!environment.services[name].enabled) continue;
      const entry = serviceCatalog[name];
      const ownRoles = entry.ownRoles ?? [];
      const identity = new ServiceIdentity(this, `${name}-identity`, {
        name,
        namespace: environment.namespaces.services.name,
        labels: componentLabels(name, "service", environment.name),
        reviewsPeople: entry.reviewsPeople ?? true,
        clusterRoles: ownRoles.map(manifestName),
      });
      const props = { ...serviceProps(environment, name), serviceAccount: identity.serviceAccount };
      this.services.push(new HonoService(this, name, props));
      new ReleaseHooks(this, `${name}-release`, environment, name);
      for (const role of [...(entry.adminRoles ?? []), ...ownRoles]) includeManifest(this, role);
    }
  }
}

/**
 * The non-secret settings a service reads (services/kit/config.ts plus its own schema); the
 * environment's own config wins. Only variables a program reads belong here: topics are named
 * in the service code, not configured (`charts/services-chart.test.ts` holds this to the
 * schemas).
 */
export function serviceConfig(environment: Environment, name: ServiceName): Record<string, string> {
  const service = environment.services[name];
  const entry = serviceCatalog[name];
  return {
    LOG_LEVEL: service.logLevel,
    KAFKA_BROKERS: kafkaBrokers(environment),
    // Plaintext on purpose: see `kafkaTlsEnabled` in redpanda-chart.ts.
    KAFKA_TLS: String(kafkaTlsEnabled),
    KAFKA_SASL_MECHANISM: saslMechanism,
    KAFKA_SASL_USERNAME: name,
    // People on admin endpoints are reviewed by the cluster's API server as the pod's
    // ServiceAccount (ServiceIdentity); RBAC is asked in the services' namespace, so a
    // RoleBinding there or a ClusterRoleBinding grants an admin action.
    ...((entry.reviewsPeople ?? true)
      ? {
          ADMIN_IDENTITY_KUBECONFIG: "in-cluster",
          ADMIN_IDENTITY_NAMESPACE: environment.namespaces.services.name,
        }
      : {}),
    ...entry.config?.(environment),
    // Where a PreSync Job migrates once per release, replicas only check the schema.
    ...(environment.features.safeMigrations ? { MIGRATE_AT_START: "false" } : {}),
    ...tracingEnvironment(environment, name),
    ...service.config,
  };
}

function manifestName(manifest: Record<string, unknown>): string {
  return (manifest.metadata as { name: string }).name;
}

function serviceProps(environment: Environment, name: ServiceName) {
  const service = environment.services[name];
  const entry = serviceCatalog[name];
  const namespaces = environment.namespaces;
  return {
    name,
    namespace: namespaces.services.name,
    image: service.image,
    labels: componentLabels(name, "service", environment.name),
    minReplicas: service.minReplicas,
    maxReplicas: service.maxReplicas,
    targetCpuUtilizationPercent: service.targetCpuUtilizationPercent,
    resources: service.resources,
    port: servicePort,
    config: serviceConfig(environment, name),
    secrets: {
      ...commonSecrets(
        name,
        hasReadReplicas(environment, name),
        environment.redis.secondary !== undefined && entry.enforces.includes("RedisFailover"),
      ),
      ...entry.secrets,
    },
    // The operator calls the admin API, Prometheus scrapes, peers call each other.
    ingressNamespaces: [
      namespaces.system.name,
      namespaces.monitoring.name,
      namespaces.services.name,
    ],
    egress: [
      {
        namespace: namespaces.data.name,
        ports: [postgresPort, redisPort, redisSentinelPort, kafkaPort],
      },
      ...(entry.callsPeerReplicas
        ? [{ namespace: namespaces.services.name, ports: [servicePort] }]
        : []),
      ...(entry.calls ?? []).map((callee) => ({
        namespace: namespaces.services.name,
        podLabels: selectorLabels(callee),
        ports: [servicePort],
      })),
      ...tracingEgress(environment),
    ],
    podIp: entry.callsPeerReplicas ?? false,
    egressInternetHttps: entry.callsProviders,
    nodeSelector: poolSelector(environment, "apps"),
  };
}
