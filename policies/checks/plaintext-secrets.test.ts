/** @module Tests that the plaintext-secrets check catches secret values in git. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { prodManifests } from "./fixtures";
import { plaintextSecrets } from "./plaintext-secrets";
import type { CheckedManifest } from "./types";

const prod = prodManifests();

test("prod as rendered has no secret values", () => {
  assert.equal(plaintextSecrets.run(prod), []);
});

test("a Secret with data or stringData is caught", () => {
  const secret: CheckedManifest = {
    path: "prod/services/secret-payments-admin-token.yaml",
    object: {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "payments-admin-token", namespace: "breakwater-services" },
      stringData: { token: "hunter2hunter2hunter2" },
    },
  };
  const problems = plaintextSecrets.run([...prod, secret]);
  assert.is(problems.length, 1);
  assert.match(problems[0]!.message, "Secret payments-admin-token has stringData in git");
  const empty = { ...secret, object: { ...secret.object, stringData: {} } };
  assert.equal(plaintextSecrets.run([empty]), []);
});

test("a credential set as a literal env value is caught", () => {
  const manifests = prod.map((manifest) => {
    if (manifest.object.kind !== "Deployment" || manifest.object.metadata.name !== "payments")
      return manifest;
    const object = structuredClone(manifest.object) as any;
    object.spec.template.spec.containers[0].env.push({ name: "ADMIN_TOKEN", value: "plain" });
    return { ...manifest, object };
  });
  const problems = plaintextSecrets.run(manifests);
  assert.is(problems.length, 1);
  assert.match(problems[0]!.message, "sets ADMIN_TOKEN as a literal value");
});

test.run();
