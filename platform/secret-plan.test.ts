/**
 * @module The secret plan covers every Secret the manifests reference with the config keys the
 * README names, and builds the derived values (URLs, users.txt) so clients read back exactly
 * the credential that was set, whatever characters it holds.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { requiredSecrets } from "../charts/required-secrets";
import { databaseNames, type Environment, loadEnvironment, serviceNames } from "../environments";
import {
  defaultConfigKey,
  type PlannedSecret,
  planManifestSecrets,
  secretConfigKeyNames,
  secretConfigKeysFor,
} from "./secret-plan";

/** Prod with every service and database on, so the plan is checked for all of them. */
function everythingEnabled(): Environment {
  const prod = loadEnvironment("prod");
  const services = Object.fromEntries(
    serviceNames.map((name) => [name, { ...prod.services[name], enabled: true }]),
  ) as Environment["services"];
  const postgres = Object.fromEntries(
    databaseNames.map((name) => [name, { ...prod.postgres[name], enabled: true }]),
  ) as Environment["postgres"];
  return { ...prod, services, postgres };
}

function planned(environment: Environment, name: string, namespace?: string): PlannedSecret {
  const found = planManifestSecrets(environment).find(
    (secret) => secret.name === name && (namespace === undefined || secret.namespace === namespace),
  );
  if (!found) throw new Error(`no planned Secret ${name}`);
  return found;
}

function build(secret: PlannedSecret, dataKey: string, values: Record<string, string>): string {
  const recipe = secret.values[dataKey];
  if (!recipe) throw new Error(`${secret.name} has no key ${dataKey}`);
  return recipe.build(recipe.configKeys.map((key) => values[key] ?? `missing ${key}`));
}

test("config keys of a service's own secrets are camelCase of the Secret's name and key", () => {
  assert.is(defaultConfigKey("payments-webhook", "secret"), "paymentsWebhookSecret");
  assert.is(defaultConfigKey("purchasing-cron", "secret"), "purchasingCronSecret");
  assert.is(defaultConfigKey("escrow-paystack", "secret-key"), "escrowPaystackSecretKey");
});

test("with every service on, the plan covers each required Secret but the backup one, key for key", () => {
  const environment = everythingEnabled();
  const store = environment.objectStore.credentials.secretName;
  const required = requiredSecrets(environment).filter((secret) => secret.name !== store);
  const plan = planManifestSecrets(environment);
  assert.equal(
    plan.map((secret) => [secret.namespace, secret.name, Object.keys(secret.values)]),
    required.map((secret) => [secret.namespace, secret.name, [...secret.keys]]),
  );
});

test("with every service on, the stack needs one key per credential, named by the scheme", () => {
  const keys = secretConfigKeysFor(everythingEnabled()).map((spec) => spec.key);
  // Alertmanager's receivers, and one token shared by the autopilot and Alertmanager.
  const expected = [
    "redisPassword",
    // prod's secondary Redis (REDIS_SECONDARY).
    "redisSecondaryPassword",
    "alertmanagerPagerdutyRoutingKey",
    "alertmanagerTicketSlackApiUrl",
    "autopilotWebhookToken",
    // Argo CD's notifications webhook (#ops-alerts).
    "opsAlertsWebhookUrl",
  ];
  for (const service of serviceNames) {
    expected.push(
      secretConfigKeyNames.adminToken(service),
      secretConfigKeyNames.kafkaPassword(service),
    );
  }
  for (const database of databaseNames) expected.push(`${database}DatabasePassword`);
  expected.push(
    "exchangeEdgeApiKeysMaster",
    "exchangeEdgeOrdersToken",
    "paymentsWebhookSecret",
    "purchasingCronSecret",
    "escrowPaystackSecretKey",
    "escrowVaultPepper",
  );
  assert.equal(keys, expected.sort());
});

test("a disabled service needs no keys", () => {
  const prod = loadEnvironment("prod");
  const withoutEscrow = {
    ...prod,
    services: { ...prod.services, escrow: { ...prod.services.escrow, enabled: false } },
    postgres: { ...prod.postgres, escrow: { ...prod.postgres.escrow, enabled: false } },
  };
  const keys = secretConfigKeysFor(withoutEscrow).map((spec) => spec.key);
  assert.not.ok(
    keys.some((key) => key.startsWith("escrow")),
    keys.join(", "),
  );
});

test("the Redis URL carries the Redis password, whatever characters it holds", () => {
  const environment = loadEnvironment("prod");
  const password = "p@ss:w/rd#?%&1234";
  const url = new URL(
    build(planned(environment, "redis-url", environment.namespaces.services.name), "url", {
      redisPassword: password,
    }),
  );
  assert.is(url.protocol, "redis:");
  assert.is(decodeURIComponent(url.password), password);
  assert.is(url.hostname, `redis-master.${environment.namespaces.data.name}.svc.cluster.local`);
  assert.is(url.port, "6379");
  const stored = build(planned(environment, "redis-password"), "password", {
    redisPassword: password,
  });
  assert.is(stored, password);
});

test("the DATABASE_URL logs in as the database's owner with the owner's password", () => {
  const environment = loadEnvironment("prod");
  const password = "o/wner:p@ss#0123456";
  const values = { paymentsDatabasePassword: password };
  const owner = planned(environment, "payments-db-owner");
  assert.is(owner.type, "kubernetes.io/basic-auth");
  assert.is(build(owner, "username", values), "payments");
  assert.is(build(owner, "password", values), password);
  const url = new URL(build(planned(environment, "payments-database"), "uri", values));
  assert.is(url.protocol, "postgresql:");
  assert.is(url.username, "payments");
  assert.is(decodeURIComponent(url.password), password);
  assert.is(url.hostname, `payments-db-rw.${environment.namespaces.data.name}.svc.cluster.local`);
  assert.is(url.port, "5432");
  assert.is(url.pathname, "/payments");
});

test("Redpanda's users.txt has one SCRAM line per enabled service, with its Kafka password", () => {
  const environment = everythingEnabled();
  const values = Object.fromEntries(
    serviceNames.map((s) => [secretConfigKeyNames.kafkaPassword(s), `${s}-pw`]),
  );
  const users = build(planned(environment, "redpanda-users"), "users.txt", values);
  assert.equal(
    users.trimEnd().split("\n"),
    serviceNames.map((service) => `${service}:${service}-pw:SCRAM-SHA-512`),
  );
  const own = build(planned(environment, "payments-kafka-user"), "password", values);
  assert.is(own, "payments-pw");
});

test("credentials must be 16+ characters; Kafka passwords may not split a users.txt line", () => {
  const specs = secretConfigKeysFor(everythingEnabled());
  for (const spec of specs) assert.is(spec.minLength, 16, spec.key);
  const kafka = specs.filter((spec) => spec.key.endsWith("KafkaPassword"));
  assert.is(kafka.length, serviceNames.length);
  for (const spec of kafka) {
    assert.ok(spec.format?.pattern.test("abcdefghijklmnop"), spec.key);
    assert.not.ok(spec.format?.pattern.test("abcdefgh:ijklmnop"), spec.key);
    assert.not.ok(spec.format?.pattern.test("abcdefgh\nijklmnop"), spec.key);
  }
  assert.not.ok(specs.find((spec) => spec.key === "redisPassword")?.format);
});

test.run();
