/**
 * @module Where the value of every Secret the rendered manifests reference comes from: one
 * Pulumi secret config key per credential, and the values built from those (the Redis and
 * database URLs, Redpanda's users file), so a password set once reaches every Secret that
 * carries it and the copies can never disagree.
 */

import { alertRoutingSecrets } from "../charts/alerts/alert-routing";
import { notificationsSecretName, opsAlertsUrlSecretKey } from "../charts/argocd-notifications";
import { autopilotTokenSecret } from "../charts/autopilot-chart";
import {
  databaseClusterName,
  postgresPort,
  redisName,
  redisPort,
  secretNames,
  serviceHost,
} from "../charts/conventions";
import { saslMechanism } from "../charts/redpanda-chart";
import { type RequiredSecret, requiredSecrets } from "../charts/required-secrets";
import { readOnlyUriKey, secondaryRedisUrlKey, serviceCatalog } from "../charts/service-catalog";
import {
  type DatabaseName,
  type Environment,
  type ServiceName,
  serviceDatabases,
  serviceNames,
} from "../environments";

/** A credential read from the stack's config with `config.requireSecret`. */
export interface SecretConfigKey {
  /** The key without the project prefix, e.g. `paymentsAdminToken`. */
  readonly key: string;
  /** What the value is, for the README and `pulumi config set`. */
  readonly description: string;
  /** Shorter values stop the stack: the services refuse tokens under 16 characters. */
  readonly minLength: number;
  /** Values that do not match stop the stack, naming `expected` (never the value). */
  readonly format?: { readonly pattern: RegExp; readonly expected: string };
}

/** One value of one Secret: the config keys it is made of and how it is built from them. */
export interface SecretValueRecipe {
  readonly configKeys: readonly string[];
  /** Builds the value from the keys' values, given in the order of `configKeys`. */
  readonly build: (values: readonly string[]) => string;
}

/** A Secret the manifests reference, with where each of its keys' values comes from. */
export interface PlannedSecret extends RequiredSecret {
  readonly type: "Opaque" | "kubernetes.io/basic-auth";
  readonly values: Readonly<Record<string, SecretValueRecipe>>;
}

/** Credentials are random strings of at least this length; so are the services' tokens. */
export const credentialLengthMin = 16;

/** Redpanda's users file is `name:password:mechanism` lines, so a password holds neither. */
const usersFileSafe = {
  pattern: /^[^:\r\n]+$/,
  expected: 'no ":" and no line break (it is a field of a users.txt line)',
};

/** The config key of a secret value that has no recipe of its own: camelCase of `<name>-<key>`. */
export function defaultConfigKey(secretName: string, dataKey: string): string {
  const words = `${secretName}-${dataKey}`.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words
    .map((word, index) =>
      index === 0 ? word.toLowerCase() : word[0]!.toUpperCase() + word.slice(1).toLowerCase(),
    )
    .join("");
}

export const secretConfigKeyNames = {
  redisPassword: "redisPassword",
  /** The AUTH password of the secondary Redis (`redis.secondary`), for REDIS_SECONDARY. */
  redisSecondaryPassword: "redisSecondaryPassword",
  databasePassword: (domain: DatabaseName) => `${domain}DatabasePassword`,
  // camelCase, so `exchange-edge` is `exchangeEdgeAdminToken`.
  adminToken: (service: ServiceName) => defaultConfigKey(service, "admin-token"),
  kafkaPassword: (service: ServiceName) => defaultConfigKey(service, "kafka-password"),
  /** The autopilot's webhook token: the Secret it reads and the one Alertmanager sends. */
  autopilotWebhookToken: "autopilotWebhookToken",
  /** Where Argo CD announces syncs and drift (the handbook's #ops-alerts). */
  opsAlertsWebhookUrl: "opsAlertsWebhookUrl",
} as const;

const keys = secretConfigKeyNames;

function fromKey(key: string): SecretValueRecipe {
  return { configKeys: [key], build: ([value]) => value ?? "" };
}

function literal(value: string): SecretValueRecipe {
  return { configKeys: [], build: () => value };
}

function enabledServices(environment: Environment): ServiceName[] {
  return serviceNames.filter((service) => environment.services[service].enabled);
}

/** The recipes of every value that is not simply `defaultConfigKey(name, key)`. */
function recipes(environment: Environment): Map<string, SecretValueRecipe> {
  const data = environment.namespaces.data.name;
  const found = new Map<string, SecretValueRecipe>();
  const add = (secretName: string, dataKey: string, recipe: SecretValueRecipe) =>
    found.set(`${secretName}/${dataKey}`, recipe);
  add(secretNames.redisPassword, "password", fromKey(keys.redisPassword));
  add(secretNames.redisUrl, "url", {
    configKeys: [keys.redisPassword],
    build: ([password]) =>
      `redis://:${encodeURIComponent(password ?? "")}@${serviceHost(`${redisName}-master`, data)}:${redisPort}`,
  });
  const secondary = environment.redis.secondary;
  if (secondary) {
    add(secretNames.redisUrl, secondaryRedisUrlKey, {
      configKeys: [keys.redisSecondaryPassword],
      build: ([password]) =>
        `redis://:${encodeURIComponent(password ?? "")}@${serviceHost(secondary.service, data)}:${redisPort}`,
    });
  }
  add(autopilotTokenSecret.name, autopilotTokenSecret.key, fromKey(keys.autopilotWebhookToken));
  add(notificationsSecretName, opsAlertsUrlSecretKey, fromKey(keys.opsAlertsWebhookUrl));
  add(
    alertRoutingSecrets.autopilotToken.name,
    alertRoutingSecrets.autopilotToken.key,
    fromKey(keys.autopilotWebhookToken),
  );
  const services = enabledServices(environment);
  add(secretNames.redpandaUsers, "users.txt", {
    configKeys: services.map(keys.kafkaPassword),
    build: (passwords) =>
      services.map((service, i) => `${service}:${passwords[i]}:${saslMechanism}\n`).join(""),
  });
  for (const service of serviceNames) {
    const database = serviceDatabases[service];
    add(secretNames.databaseOwner(database), "username", literal(database));
    add(secretNames.databaseOwner(database), "password", fromKey(keys.databasePassword(database)));
    // The primary (CloudNativePG's `-rw` Service) and its replicas (`-ro`), same credentials.
    for (const [dataKey, suffix] of [
      ["uri", "rw"],
      [readOnlyUriKey, "ro"],
    ] as const) {
      add(secretNames.databaseUrl(service), dataKey, {
        configKeys: [keys.databasePassword(database)],
        build: ([password]) => {
          const host = serviceHost(`${databaseClusterName(database)}-${suffix}`, data);
          const user = encodeURIComponent(database);
          return `postgresql://${user}:${encodeURIComponent(password ?? "")}@${host}:${postgresPort}/${database}`;
        },
      });
    }
    add(secretNames.adminToken(service), "token", fromKey(keys.adminToken(service)));
    add(secretNames.kafkaUser(service), "password", fromKey(keys.kafkaPassword(service)));
  }
  return found;
}

/**
 * Every Secret of `requiredSecrets(environment)` except the object-store one (which
 * `BackupCredentials` creates from its own keys), with the recipe of each value.
 */
export function planManifestSecrets(environment: Environment): PlannedSecret[] {
  const known = recipes(environment);
  const store = environment.objectStore.credentials.secretName;
  return requiredSecrets(environment)
    .filter((secret) => secret.name !== store)
    .map((secret) => ({
      ...secret,
      // CloudNativePG's initdb reads the owner's credentials from a basic-auth Secret.
      type: secret.name.endsWith("-db-owner") ? "kubernetes.io/basic-auth" : "Opaque",
      values: Object.fromEntries(
        secret.keys.map((dataKey) => [
          dataKey,
          known.get(`${secret.name}/${dataKey}`) ?? fromKey(defaultConfigKey(secret.name, dataKey)),
        ]),
      ),
    }));
}

function describe(key: string, secrets: readonly PlannedSecret[]): string {
  const users = secrets
    .filter((secret) => Object.values(secret.values).some((v) => v.configKeys.includes(key)))
    .map((secret) => `${secret.namespace}/${secret.name}`);
  return `a random string of ${credentialLengthMin}+ characters, in ${users.join(", ")}`;
}

/** The secret config keys the manifest Secrets of `environment` are built from, sorted. */
export function secretConfigKeysFor(environment: Environment): SecretConfigKey[] {
  const planned = planManifestSecrets(environment);
  const names = new Set(
    planned.flatMap((secret) => Object.values(secret.values).flatMap((v) => v.configKeys)),
  );
  const kafkaKeys = new Set(enabledServices(environment).map(keys.kafkaPassword));
  return [...names].sort().map((key) => ({
    key,
    description: describe(key, planned),
    minLength: credentialLengthMin,
    ...(kafkaKeys.has(key) ? { format: usersFileSafe } : {}),
  }));
}
