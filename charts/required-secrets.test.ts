/**
 * @module Tests that `requiredSecrets` lists exactly the Secrets the rendered manifests
 * reference, with the keys they read, so Pulumi creates every one and nothing extra.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { environmentNames, loadEnvironment } from "../environments";
import { renderEnvironment } from "./render";
import { requiredSecrets } from "./required-secrets";

type Reference = string; // namespace/name:key

/** Secret references anywhere in an object, in every shape our kinds use. */
function referencesIn(object: any): Reference[] {
  const namespace = object.metadata.namespace;
  const found: Reference[] = [];
  const walk = (value: any, key: string) => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, key);
      return;
    }
    if (value === null || typeof value !== "object") return;
    const isKeyRef = [
      ...["secretKeyRef", "redisSecret", "accessKeyId", "secretAccessKey"],
      // AlertmanagerConfig receivers
      ...["routingKey", "apiURL", "credentials"],
    ].includes(key);
    // An optional key (a rotation's `next`) is not required to exist.
    if (isKeyRef && value.name && value.key && value.optional !== true)
      found.push(`${namespace}/${value.name}:${value.key}`);
    if (key === "secret" && value.name && !value.key) {
      found.push(`${namespace}/${value.name}:username`, `${namespace}/${value.name}:password`);
    }
    if (key === "sasl" && typeof value.secretRef === "string") {
      found.push(`${namespace}/${value.secretRef}:users.txt`);
    }
    for (const [child, inner] of Object.entries(value)) walk(inner, child);
  };
  walk(object.spec ?? {}, "spec");
  if (object.kind === "ConfigMap" && object.metadata.name === "argocd-notifications-cm") {
    // Argo CD resolves `$key` in its notification services from argocd-notifications-secret.
    for (const value of Object.values<string>(object.data ?? {})) {
      for (const match of value.matchAll(/\$([a-z0-9-]+)/g)) {
        found.push(`${namespace}/argocd-notifications-secret:${match[1]}`);
      }
    }
  }
  if (object.kind === "ConfigMap" && object.data?.["targets.yaml"]) {
    const targets = parse(object.data["targets.yaml"]);
    for (const service of Object.values<any>(targets.services ?? {})) {
      const secret = service.tokenSecret;
      found.push(`${secret.namespace}/${secret.name}:${secret.key}`);
    }
  }
  return found;
}

for (const name of environmentNames) {
  test(`${name}: the required Secrets are exactly the ones the manifests reference`, () => {
    const environment = loadEnvironment(name);
    const referenced = new Set(
      renderEnvironment(environment).flatMap(({ object }) => referencesIn(object)),
    );
    const required = new Set(
      requiredSecrets(environment).flatMap((secret) =>
        secret.keys.map((key) => `${secret.namespace}/${secret.name}:${key}`),
      ),
    );
    assert.equal([...referenced].sort(), [...required].sort());
  });
}

test.run();
