/**
 * @module The object-store credentials for backups reach the cluster only as Pulumi secrets:
 * the Secret's data is secret-wrapped (encrypted in state), the plain values appear in no
 * other input, and a stack without them refuses to run, naming the key to set.
 */
import * as pulumi from "@pulumi/pulumi";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { environmentNames, loadEnvironment } from "../environments";
import { projectName } from "./settings";
import {
  isSecretValue,
  named,
  runPlatformStack,
  type StackRun,
  testSecrets,
} from "./testing/mock-stack";

const secretType = "kubernetes:core/v1:Secret";

/** Every input of every resource, with the contents of secret envelopes left out. */
function plainInputs(run: StackRun): string {
  const withoutSecrets = (value: unknown): unknown => {
    if (isSecretValue(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(withoutSecrets);
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v)]));
    }
    return value;
  };
  return JSON.stringify(run.resources.map((resource) => withoutSecrets(resource.inputs)));
}

for (const environmentName of environmentNames) {
  const environment = loadEnvironment(environmentName);
  const credentials = environment.objectStore.credentials;

  test(`${environmentName}: the backup Secret holds both keys, only as secrets`, async () => {
    const run = await runPlatformStack(environmentName);
    const secret = named(run, secretType, "backup-credentials").inputs as {
      metadata: { name: string; namespace: string };
      stringData: unknown;
    };
    assert.is(secret.metadata.name, credentials.secretName);
    assert.is(secret.metadata.namespace, environment.namespaces.data.name);
    assert.ok(isSecretValue(secret.stringData), "stringData is not marked secret");
    const data = (secret.stringData as { value: Record<string, string> }).value;
    assert.equal(data, {
      [credentials.accessKeyIdKey]: testSecrets.objectStoreAccessKeyId,
      [credentials.secretAccessKeyKey]: testSecrets.objectStoreSecretAccessKey,
    });
  });

  test(`${environmentName}: no resource input carries a secret in plain text`, async () => {
    const run = await runPlatformStack(environmentName);
    const plain = plainInputs(run);
    for (const value of Object.values(testSecrets)) {
      assert.not.ok(plain.includes(value), `a secret value appears in plain inputs`);
    }
  });

  test(`${environmentName}: the component exposes the Secret's data as a secret output`, async () => {
    const run = await runPlatformStack(environmentName);
    const stringData = run.platform.backupCredentials.secret.stringData;
    assert.ok(await pulumi.isSecret(stringData));
  });
}

test("a private repository's token reaches Argo CD only as a secret", async () => {
  const token = "ghp_test-token-never-plain";
  const run = await runPlatformStack(
    "staging",
    { repoUsername: "breakwater-ci" },
    { repoToken: token },
  );
  const secret = named(run, secretType, "breakwater-repository").inputs as {
    metadata: { namespace: string; labels: Record<string, string> };
    stringData: unknown;
  };
  assert.is(secret.metadata.namespace, loadEnvironment("staging").namespaces.gitops.name);
  assert.is(secret.metadata.labels["argocd.argoproj.io/secret-type"], "repository");
  assert.ok(isSecretValue(secret.stringData));
  const data = (secret.stringData as { value: Record<string, string> }).value;
  assert.is(data.password, token);
  assert.is(data.username, "breakwater-ci");
  assert.not.ok(plainInputs(run).includes(token));
  const root = named(run, "kubernetes:argoproj.io/v1alpha1:Application", "breakwater");
  assert.ok(root.dependencyUrns.includes(named(run, secretType, "breakwater-repository").urn));
});

test("a public repository gets no credentials Secret", async () => {
  const run = await runPlatformStack("staging");
  assert.not.ok(run.resources.some((resource) => resource.name === "breakwater-repository"));
});

test("a stack without the object-store secrets stops, naming the key to set", async () => {
  pulumi.runtime.setAllConfig({ [`${projectName}:objectStoreSecretAccessKey`]: "x" }, [
    `${projectName}:objectStoreSecretAccessKey`,
  ]);
  const { readPlatformSettings } = await import("./settings");
  assert.throws(
    () => readPlatformSettings("dev"),
    (error: Error) => error.message.includes(`${projectName}:objectStoreAccessKeyId`),
  );
});

test("a stack named after no environment stops, naming the environments", async () => {
  const { readPlatformSettings } = await import("./settings");
  assert.throws(
    () => readPlatformSettings("qa"),
    (error: Error) => error.message.includes("expected one of dev, staging, prod"),
  );
});

test.run();
