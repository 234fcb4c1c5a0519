/**
 * @module Per environment, every Secret the rendered manifests reference is created, in its
 * namespace, with exactly the keys the manifests read, every value a Pulumi secret built from
 * the stack's secret config; and a stack missing one of those keys stops, naming it.
 */
import * as pulumi from "@pulumi/pulumi";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { requiredSecrets } from "../charts/required-secrets";
import { environmentNames, loadEnvironment } from "../environments";
import { secretConfigKeysFor } from "./secret-plan";
import { projectName, readPlatformSettings, requiredSecretConfigKeysFor } from "./settings";
import {
  isSecretValue,
  named,
  ofType,
  type RecordedResource,
  runPlatformStack,
  type StackRun,
  testSecrets,
} from "./testing/mock-stack";

const secretType = "kubernetes:core/v1:Secret";

interface SecretInputs {
  metadata: { name: string; namespace: string };
  type: string;
  stringData?: unknown;
  data?: unknown;
}

function secretsOf(
  run: StackRun,
): Map<string, { resource: RecordedResource; inputs: SecretInputs }> {
  const found = new Map<string, { resource: RecordedResource; inputs: SecretInputs }>();
  for (const resource of ofType(run, secretType)) {
    const inputs = resource.inputs as unknown as SecretInputs;
    found.set(`${inputs.metadata.namespace}/${inputs.metadata.name}`, { resource, inputs });
  }
  return found;
}

function dataOf(inputs: SecretInputs): Record<string, string> {
  assert.ok(isSecretValue(inputs.stringData), `${inputs.metadata.name}: stringData not secret`);
  return (inputs.stringData as { value: Record<string, string> }).value;
}

/** Sets the stack's config to the test secrets without `missing`, or with `override`. */
function setSecretConfig(options: { missing?: string; override?: Record<string, string> }) {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...testSecrets, ...options.override })) {
    if (key !== options.missing) values[`${projectName}:${key}`] = value;
  }
  pulumi.runtime.setAllConfig(values, Object.keys(values));
}

for (const environmentName of environmentNames) {
  const environment = loadEnvironment(environmentName);
  const services = environment.namespaces.services.name;
  const data = environment.namespaces.data.name;

  test(`${environmentName}: every Secret the manifests reference exists with exactly its keys`, async () => {
    const created = secretsOf(await runPlatformStack(environmentName));
    for (const required of requiredSecrets(environment)) {
      const id = `${required.namespace}/${required.name}`;
      const secret = created.get(id);
      assert.ok(secret, `${id} is not created`);
      assert.is(secret.inputs.data, undefined, `${id} has plain data`);
      assert.equal(Object.keys(dataOf(secret.inputs)).sort(), [...required.keys].sort(), id);
    }
  });

  test(`${environmentName}: every value is a secret, in the inputs and in the outputs`, async () => {
    const run = await runPlatformStack(environmentName);
    for (const { inputs } of secretsOf(run).values()) {
      const values = Object.values(dataOf(inputs));
      assert.ok(
        values.every((value) => value.length > 0),
        inputs.metadata.name,
      );
    }
    for (const [id, secret] of Object.entries(run.platform.manifestSecrets.secrets)) {
      assert.ok(await pulumi.isSecret(secret.stringData), `${id}: stringData output is not secret`);
    }
  });

  test(`${environmentName}: values come from the stack's secret config, one password per credential`, async () => {
    const secrets = secretsOf(await runPlatformStack(environmentName));
    const value = (id: string, key: string) => dataOf(secrets.get(id)!.inputs)[key];
    const redisPassword = testSecrets.redisPassword!;
    assert.is(value(`${data}/redis-password`, "password"), redisPassword);
    for (const namespace of [services, environment.namespaces.system.name]) {
      assert.match(value(`${namespace}/redis-url`, "url")!, `:${redisPassword}@redis-master.`);
    }
    assert.is(value(`${services}/payments-admin-token`, "token"), testSecrets.paymentsAdminToken);
    assert.is(value(`${services}/payments-webhook`, "secret"), testSecrets.paymentsWebhookSecret);
    const kafka = testSecrets.paymentsKafkaPassword!;
    assert.is(value(`${services}/payments-kafka-user`, "password"), kafka);
    assert.match(value(`${data}/redpanda-users`, "users.txt")!, `payments:${kafka}:SCRAM-SHA-512`);
    const database = testSecrets.paymentsDatabasePassword!;
    assert.is(value(`${data}/payments-db-owner`, "password"), database);
    assert.is(value(`${data}/payments-db-owner`, "username"), "payments");
    assert.is(secrets.get(`${data}/payments-db-owner`)!.inputs.type, "kubernetes.io/basic-auth");
    assert.match(
      value(`${services}/payments-database`, "uri")!,
      `payments:${database}@payments-db-rw.`,
    );
  });

  test(`${environmentName}: the Secrets wait for their namespaces; the root application for them`, async () => {
    const run = await runPlatformStack(environmentName);
    const namespaceUrns = ofType(run, "kubernetes:core/v1:Namespace").map((ns) => ns.urn);
    const root = named(run, "kubernetes:argoproj.io/v1alpha1:Application", "breakwater");
    for (const { resource } of secretsOf(run).values()) {
      assert.ok(
        namespaceUrns.every((urn) => resource.dependencyUrns.includes(urn)),
        resource.name,
      );
      // Argo CD must not start a pod before the Secrets it references exist.
      assert.ok(
        root.dependencyUrns.includes(resource.urn),
        `root does not wait for ${resource.name}`,
      );
    }
  });

  test(`${environmentName}: a stack missing any one secret key stops, naming the key`, () => {
    for (const key of requiredSecretConfigKeysFor(environment)) {
      setSecretConfig({ missing: key });
      assert.throws(
        () => readPlatformSettings(environmentName),
        (error: Error) =>
          error.message.includes(`'${projectName}:${key}'`) &&
          error.message.includes("pulumi config set --secret"),
        key,
      );
    }
    setSecretConfig({});
    assert.ok(readPlatformSettings(environmentName), "the full set of keys is not enough");
  });

  test(`${environmentName}: a short credential stops the stack, naming the key and not the value`, () => {
    for (const { key } of secretConfigKeysFor(environment)) {
      const short = "too-short-12345";
      setSecretConfig({ override: { [key]: short } });
      assert.throws(
        () => readPlatformSettings(environmentName),
        (error: Error) =>
          error.message === `${projectName}:${key}: expected at least 16 characters` &&
          !error.message.includes(short),
        key,
      );
    }
  });
}

test("a Kafka password with a ':' stops the stack, since it would corrupt users.txt", () => {
  const bad = "abcdefgh:ijklmnopq";
  setSecretConfig({ override: { paymentsKafkaPassword: bad } });
  assert.throws(
    () => readPlatformSettings("prod"),
    (error: Error) =>
      error.message.startsWith(`${projectName}:paymentsKafkaPassword: expected no ":"`) &&
      !error.message.includes(bad),
  );
});

test.run();
