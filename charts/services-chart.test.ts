/**
 * @module Tests that a rendered service starts: its ConfigMap plus the Secrets it references
 * satisfy the service's own config schema (services/), in every environment, so a variable
 * the service needs is never missing from the manifests.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { environmentNames, loadEnvironment } from "../environments";
import { loadConfig } from "../services/kit/config";
import { paymentsConfigSchema } from "../services/payments/config";
import { renderEnvironment } from "./render";

/** What Pulumi's Secrets would hold, shaped like the real values. */
function secretValue(variable: string): string {
  if (variable === "DATABASE_URL")
    return "postgresql://payments:pw@payments-db-rw.data-plane:5432/payments";
  if (variable === "REDIS_URL") return "redis://:pw@redis-master.data-plane:6379";
  return "s".repeat(32);
}

function containerEnvironment(name: "dev" | "staging" | "prod", service: string) {
  const objects = renderEnvironment(loadEnvironment(name)).map(({ object }) => object as any);
  const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === service);
  const container = deployment.spec.template.spec.containers[0];
  const configMapName = container.envFrom[0].configMapRef.name;
  const configMap = objects.find(
    (o) => o.kind === "ConfigMap" && o.metadata.name === configMapName,
  );
  const env: Record<string, string> = { ...configMap.data };
  for (const variable of container.env) {
    if (variable.valueFrom?.secretKeyRef) env[variable.name] = secretValue(variable.name);
    else if (variable.valueFrom?.fieldRef) env[variable.name] = "payments-7d9f-abcde";
  }
  return env;
}

for (const name of environmentNames) {
  test(`payments in ${name} gets every setting it needs`, () => {
    const config = loadConfig(containerEnvironment(name, "payments"), paymentsConfigSchema);
    assert.is(config.PORT, 8080);
    assert.equal(config.KAFKA_BROKERS, ["redpanda.data-plane.svc.cluster.local:9093"]);
    assert.match(config.PSP_URL, /^https:\/\//);
  });
}

test.run();
