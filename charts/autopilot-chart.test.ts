/**
 * @module Tests the autopilot as the charts deploy it: two replicas of the image running
 * operators/autopilot/main.ts with probes, exactly the variables its config reads (accepted by
 * its loader), its token from the Secret, the repository's rule files, and exactly its RBAC.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEnvironment } from "../environments";
import { loadAutopilotConfig } from "../operators/autopilot/config";
import { autopilotRbacManifests } from "../operators/autopilot/rbac";
import { loadRules } from "../policies/automation/load-rules";
import { autopilotConfig, autopilotTokenSecret } from "./autopilot-chart";
import { autopilotArgs } from "./container-image";
import { renderEnvironment } from "./render";

// biome-ignore lint/suspicious/noExplicitAny: manifests are plain JSON
const objects = renderEnvironment(loadEnvironment("prod"))
  .filter((r) => r.app === "autopilot")
  .map((r) => r.object as any);
const find = (kind: string) => objects.filter((object) => object.kind === kind);

test("two replicas run the autopilot with readiness and liveness probes", () => {
  const [deployment] = find("Deployment");
  assert.is(deployment.spec.replicas, 2);
  const [container] = deployment.spec.template.spec.containers;
  assert.equal(container.args, autopilotArgs());
  assert.is(container.readinessProbe.httpGet.path, "/health/ready");
  assert.is(container.livenessProbe.httpGet.path, "/health/live");
  const token = container.env.find(
    (variable: { name: string }) => variable.name === "AUTOPILOT_WEBHOOK_TOKEN",
  );
  assert.equal(token.valueFrom.secretKeyRef, {
    name: autopilotTokenSecret.name,
    key: autopilotTokenSecret.key,
  });
});

test("the settings it is given are the ones it reads, and its loader accepts them", () => {
  const [deployment] = find("Deployment");
  const [container] = deployment.spec.template.spec.containers;
  const [config] = find("ConfigMap").filter(
    (map) => map.metadata.name === "breakwater-autopilot-config",
  );
  const variables = {
    ...config.data,
    AUTOPILOT_WEBHOOK_TOKEN: "a-token-from-the-secret",
    AUTOPILOT_IDENTITY: "breakwater-autopilot-0",
    POD_IP: "10.0.0.7",
  };
  const named = container.env.map((variable: { name: string }) => variable.name).sort();
  assert.equal(named, ["AUTOPILOT_IDENTITY", "AUTOPILOT_WEBHOOK_TOKEN", "POD_IP"]);
  assert.equal(config.data, autopilotConfig(loadEnvironment("prod")));
  const loaded = loadAutopilotConfig({ ...variables, AUTOPILOT_RULES_DIR: undefined });
  assert.is(loaded.environment, "prod");
  assert.is(loaded.defaultMode, "auto");
  assert.is(loaded.advertiseUrl, "http://10.0.0.7:8080");
});

test("the rules ConfigMap holds the repository's rule files", () => {
  const [rules] = find("ConfigMap").filter(
    (map) => map.metadata.name === "breakwater-autopilot-rules",
  );
  const files = new Set(loadRules().map((rule) => rule.file.split("/").at(-1)));
  assert.equal(Object.keys(rules.data).sort(), [...files].sort());
});

test("its RBAC is exactly operators/autopilot/rbac.ts", () => {
  const rbac = objects.filter((object) => object.apiVersion === "rbac.authorization.k8s.io/v1");
  const expected = autopilotRbacManifests("breakwater-system");
  assert.is(rbac.length, expected.length);
  for (const manifest of expected) {
    const rendered = rbac.find((object) => object.kind === manifest.kind);
    // biome-ignore lint/suspicious/noExplicitAny: manifests are plain JSON
    const { rules, roleRef, subjects } = manifest as any;
    assert.equal(rendered.rules, rules);
    assert.equal(rendered.roleRef, roleRef);
    assert.equal(rendered.subjects, subjects);
  }
});

test.run();
