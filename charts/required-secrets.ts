/**
 * @module The Secrets an environment's manifests reference, by namespace, name and keys: the
 * contract with the Pulumi programs, which create each one from Pulumi secrets (git only ever
 * holds these names). A test proves the list matches the rendered references exactly.
 */
import { databaseNames, type Environment, serviceDatabases, serviceNames } from "../environments";
import { alertRoutingSecrets } from "./alerts/alert-routing";
import { notificationsSecretName, opsAlertsUrlSecretKey } from "./argocd-notifications";
import { autopilotTokenSecret } from "./autopilot-chart";
import { secretNames } from "./conventions";
import {
  hasReadReplicas,
  readOnlyUriKey,
  secondaryRedisUrlKey,
  serviceCatalog,
} from "./service-catalog";

export interface RequiredSecret {
  readonly namespace: string;
  readonly name: string;
  readonly keys: readonly string[];
  /** What the value is and who reads it. */
  readonly purpose: string;
}

function dataSecrets(environment: Environment): RequiredSecret[] {
  const namespace = environment.namespaces.data.name;
  const store = environment.objectStore.credentials;
  const secrets: RequiredSecret[] = [
    {
      namespace,
      name: store.secretName,
      keys: [store.accessKeyIdKey, store.secretAccessKeyKey],
      purpose: "object store access keys for PostgreSQL backups (barman-cloud ObjectStore)",
    },
    {
      namespace,
      name: secretNames.redisPassword,
      keys: ["password"],
      purpose: "Redis AUTH password (RedisReplication, RedisSentinel)",
    },
    {
      namespace,
      name: secretNames.redpandaUsers,
      keys: ["users.txt"],
      purpose: "Redpanda SASL users, one `name:password:SCRAM-SHA-512` line per service",
    },
  ];
  for (const domain of databaseNames) {
    if (!environment.postgres[domain].enabled) continue;
    secrets.push({
      namespace,
      name: secretNames.databaseOwner(domain),
      keys: ["username", "password"],
      purpose: `kubernetes.io/basic-auth owner of the ${domain} database (CloudNativePG bootstrap)`,
    });
  }
  return secrets;
}

function serviceSecrets(environment: Environment): RequiredSecret[] {
  const namespace = environment.namespaces.services.name;
  const secondary = environment.redis.secondary;
  const secrets: RequiredSecret[] = [
    {
      namespace,
      name: secretNames.redisUrl,
      keys: secondary ? ["url", secondaryRedisUrlKey] : ["url"],
      purpose: secondary
        ? `REDIS_URL of the services: redis://:<password>@redis-master.<data namespace>:6379; REDIS_SECONDARY (${secondaryRedisUrlKey}): redis://:<password>@${secondary.service}.<data namespace>:6379`
        : "REDIS_URL of the services: redis://:<password>@redis-master.<data namespace>:6379",
    },
  ];
  for (const service of serviceNames) {
    if (!environment.services[service].enabled) continue;
    const database = serviceDatabases[service];
    secrets.push(
      {
        namespace,
        name: secretNames.databaseUrl(service),
        keys: hasReadReplicas(environment, service) ? ["uri", readOnlyUriKey] : ["uri"],
        purpose: hasReadReplicas(environment, service)
          ? `DATABASE_URL of ${service}: postgresql://…@${database}-db-rw.<data namespace>:5432/${database}; DB_READONLY_ENDPOINT (${readOnlyUriKey}): the same at ${database}-db-ro`
          : `DATABASE_URL of ${service}: postgresql://…@${database}-db-rw.<data namespace>:5432/${database}`,
      },
      {
        namespace,
        name: secretNames.adminToken(service),
        keys: ["token"],
        purpose: `ADMIN_TOKEN of ${service} (16+ characters), read by the service and the operator`,
      },
      {
        namespace,
        name: secretNames.kafkaUser(service),
        keys: ["password"],
        purpose: `KAFKA_SASL_PASSWORD of ${service}, matching its line in redpanda-users`,
      },
    );
    for (const [variable, reference] of Object.entries(serviceCatalog[service].secrets)) {
      // A rotation's `next` exists only while it rotates: nothing has to create it.
      if (reference.optional) continue;
      secrets.push({
        namespace,
        name: reference.name,
        keys: [reference.key],
        purpose: `${variable} of ${service}`,
      });
    }
  }
  return secrets;
}

/** Alertmanager's credentials (monitoring namespace) and the autopilot's webhook token. */
function alertingSecrets(environment: Environment): RequiredSecret[] {
  const monitoring = environment.namespaces.monitoring.name;
  const secrets: RequiredSecret[] = [
    {
      namespace: monitoring,
      name: alertRoutingSecrets.pagerDuty.name,
      keys: [alertRoutingSecrets.pagerDuty.key],
      purpose: "PagerDuty Events API v2 integration key: critical alerts page",
    },
    {
      namespace: monitoring,
      name: alertRoutingSecrets.ticketSlack.name,
      keys: [alertRoutingSecrets.ticketSlack.key],
      purpose: "Slack incoming-webhook URL of the ticket channel: warning alerts",
    },
  ];
  if (!environment.features.autopilot.enabled) return secrets;
  return [
    ...secrets,
    {
      namespace: monitoring,
      name: alertRoutingSecrets.autopilotToken.name,
      keys: [alertRoutingSecrets.autopilotToken.key],
      purpose: "bearer token Alertmanager sends to the autopilot (same value as below)",
    },
    {
      namespace: environment.namespaces.system.name,
      name: autopilotTokenSecret.name,
      keys: [autopilotTokenSecret.key],
      purpose: "AUTOPILOT_WEBHOOK_TOKEN (16+ characters) the autopilot accepts",
    },
  ];
}

/** Every Secret one environment's manifests need, sorted by namespace and name. */
export function requiredSecrets(environment: Environment): RequiredSecret[] {
  const system: RequiredSecret = {
    namespace: environment.namespaces.system.name,
    name: secretNames.redisUrl,
    keys: ["url"],
    purpose: "REDIS_URL of the operator (LockFlush)",
  };
  const notifications: RequiredSecret = {
    namespace: environment.namespaces.gitops.name,
    name: notificationsSecretName,
    keys: [opsAlertsUrlSecretKey],
    purpose: "webhook URL of #ops-alerts, where Argo CD announces syncs and drift",
  };
  const all = [
    ...dataSecrets(environment),
    ...serviceSecrets(environment),
    ...alertingSecrets(environment),
    system,
    notifications,
  ];
  return all.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}
