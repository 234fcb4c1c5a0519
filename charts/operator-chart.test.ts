/**
 * @module Tests that the operator chart ships the operator's own CRDs and RBAC, sets only the
 * variables operators/config.ts reads, mounts a targets file the operator accepts at the path
 * it reads, pointing at each enabled service's admin Service and the token Secret that
 * service itself reads, and grants `get` on exactly those Secrets.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdk8s";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { environmentNames, loadEnvironment, serviceNames } from "../environments";
import { breakwaterImage } from "../environments/images";
import { loadConfig } from "../operators/config";
import { crdManifests } from "../operators/crds/index";
import { operatorNamespace, operatorServiceAccount } from "../operators/rbac";
import { parseTargets, type Targets, tokenSecrets } from "../operators/targets";
import { expiryPolicyName } from "../policies/admission/expiry";
import { fourEyesPolicyName } from "../policies/admission/four-eyes";
import { requestedByPolicyName } from "../policies/admission/requested-by";
import { parseSettings, tracingConfigSchema } from "../services/kit/config";
import { crdWave, syncWaveAnnotation } from "./argo";
import { configDigestAnnotation } from "./constructs/hono-service";
import {
  containerEnvironment,
  mountedConfigMapFile,
  type RenderedObject,
  type VariableSource,
} from "./container-environment";
import { imageEntrypoint, imageUser, operatorNodeFlags, operatorProgram } from "./container-image";
import { livenessPath, OperatorChart, operatorTargets, readinessPath } from "./operator-chart";
import { renderEnvironment } from "./render";
import { serviceCatalog } from "./service-catalog";

type EnvironmentName = (typeof environmentNames)[number];
type Env = Record<string, string | undefined>;

const operatorName = "breakwater-operator";

function objectsOf(name: EnvironmentName, app?: string): any[] {
  return renderEnvironment(loadEnvironment(name))
    .filter((rendered) => app === undefined || rendered.app === app)
    .map(({ object }) => object as any);
}

/**
 * The variables the operator reads, learned from operators/config.ts itself (its schema is not
 * exported): `loadConfig` is handed an environment that records every name it looks up.
 */
function variablesTheOperatorReads(): Set<string> {
  const read = new Set<string>();
  const recorder = (key: string | symbol) => {
    if (typeof key === "string") read.add(key);
  };
  const env = new Proxy<Env>(
    {},
    {
      get: (target, key) => (recorder(key), Reflect.get(target, key)),
      has: (target, key) => (recorder(key), Reflect.has(target, key)),
    },
  );
  loadConfig(env);
  // operators/main.ts reads the tracing settings first (services/kit/tracing.ts).
  parseSettings(tracingConfigSchema, env);
  return read;
}

/** Those the operator refuses to start without. */
function variablesTheOperatorRequires(read: ReadonlySet<string>): string[] {
  const everything: Env = {};
  for (const variable of read) everything[variable] = undefined;
  return [...read].filter((variable) => {
    try {
      loadConfig({ ...everything, [variable]: undefined });
      return false;
    } catch (error) {
      return (error as Error).message.startsWith(`${variable}:`);
    }
  });
}

function startEnvironment(variables: ReadonlyMap<string, VariableSource>): Env {
  const env: Env = {};
  for (const [variable, source] of variables) {
    if (source.from === "value" || source.from === "configMap") env[variable] = source.value;
    else if (source.from === "field") env[variable] = `${operatorName}-5c8d7b9f4-k2x7p`;
    else if (variable === "REDIS_URL") env[variable] = "redis://:pw@redis-master.data-plane:6379";
    else env[variable] = "s".repeat(32);
  }
  return env;
}

test("ships every control CRD and the operator's ClusterRole, which grants no Secret", () => {
  const objects = objectsOf("prod", "operator");
  const crds = objects
    .filter((object) => object.kind === "CustomResourceDefinition")
    .map((o) => o.metadata.name);
  assert.equal(
    crds.sort(),
    crdManifests()
      .map((crd: any) => crd.metadata.name)
      .sort(),
  );
  const clusterRole = objects.find(
    (object) => object.kind === "ClusterRole" && object.metadata.name === operatorName,
  );
  assert.ok(clusterRole);
  assert.not.ok(clusterRole.rules.some((rule: any) => rule.resources.includes("secrets")));
});

for (const name of environmentNames) {
  test(`${name}: the three admission policies and their Deny bindings go in with the CRDs`, () => {
    const admission = objectsOf(name, "operator").filter((object) =>
      object.kind.startsWith("ValidatingAdmissionPolicy"),
    );
    const names = admission.map((object) => `${object.kind}/${object.metadata.name}`).sort();
    assert.equal(
      names,
      [expiryPolicyName, requestedByPolicyName, fourEyesPolicyName]
        .flatMap((policy) => [
          `ValidatingAdmissionPolicy/${policy}`,
          `ValidatingAdmissionPolicyBinding/${policy}`,
        ])
        .sort(),
    );
    for (const object of admission) {
      assert.is(object.metadata.annotations[syncWaveAnnotation], String(crdWave));
      if (object.kind === "ValidatingAdmissionPolicyBinding") {
        assert.equal(object.spec.validationActions, ["Deny"]);
      }
    }
  });
}

for (const name of environmentNames) {
  const objects = objectsOf(name);
  const namespace = loadEnvironment(name).namespaces.system.name;
  const variables = containerEnvironment(objects, namespace, operatorName);

  test(`${name}: the operator is set only variables operators/config.ts reads`, () => {
    const read = variablesTheOperatorReads();
    assert.ok(read.has("OPERATOR_TARGETS_FILE"), "the recorder saw what loadConfig read");
    const unread = [...variables.keys()].filter((variable) => !read.has(variable));
    assert.equal(unread, []);
    const missing = variablesTheOperatorRequires(read).filter((v) => !variables.has(v));
    assert.equal(missing, []);
    const config = loadConfig(startEnvironment(variables));
    assert.is(config.lease.namespace, operatorNamespace);
    assert.is(config.identity, `${operatorName}-5c8d7b9f4-k2x7p`);
    assert.is(config.redisUrl, "redis://:pw@redis-master.data-plane:6379");
  });

  test(`${name}: the targets file is mounted where OPERATOR_TARGETS_FILE says and accepted`, () => {
    const config = loadConfig(startEnvironment(variables));
    const text = mountedConfigMapFile(objects, namespace, operatorName, config.targetsFile);
    assert.ok(text, `nothing mounted at ${config.targetsFile}`);
    const targets = parseTargets(text, config.targetsFile);
    assert.equal(targets, operatorTargets(loadEnvironment(name)));
  });

  test(`${name}: each target is an enabled service's admin Service and the token it reads`, () => {
    const environment = loadEnvironment(name);
    const targets = mountedTargets(objects, namespace, variables);
    // Every enabled service that enforces a control kind (the status page enforces none).
    const enabled = serviceNames.filter(
      (service) =>
        environment.services[service].enabled && serviceCatalog[service].enforces.length > 0,
    );
    assert.equal(Object.keys(targets.services).sort(), enabled.sort());
    const servicesNamespace = environment.namespaces.services.name;
    for (const [service, target] of Object.entries(targets.services)) {
      const object = objects.find(
        (o) =>
          o.kind === "Service" &&
          o.metadata.namespace === servicesNamespace &&
          o.metadata.name === service,
      );
      const port = object.spec.ports.find((p: any) => p.name === "http").port;
      assert.is(
        target.adminUrl,
        `http://${service}.${servicesNamespace}.svc.cluster.local:${port}`,
      );
      const token = containerEnvironment(objects, servicesNamespace, service).get("ADMIN_TOKEN");
      assert.equal(token, {
        from: "secret",
        name: target.tokenSecret.name,
        key: target.tokenSecret.key,
      });
      assert.is(target.tokenSecret.namespace, servicesNamespace);
    }
  });

  test(`${name}: the operator may get exactly the token Secrets of its targets`, () => {
    const targets = mountedTargets(objects, namespace, variables);
    const bound = new Set(
      objects
        .filter((o) => o.kind === "RoleBinding" && isOperator(o.subjects))
        .map((o) => `${o.metadata.namespace}/${o.roleRef.name}`),
    );
    const granted = objects
      .filter((o) => o.kind === "Role" && bound.has(`${o.metadata.namespace}/${o.metadata.name}`))
      .flatMap((role) =>
        role.rules
          .filter((rule: any) => rule.resources.includes("secrets"))
          .flatMap((rule: any) => {
            assert.equal(rule.verbs, ["get"]);
            assert.ok(rule.resourceNames?.length, "a Secret rule without names grants them all");
            return rule.resourceNames.map((n: string) => `${role.metadata.namespace}/${n}`);
          }),
      );
    const wanted = tokenSecrets(targets).map((secret) => `${secret.namespace}/${secret.name}`);
    assert.equal(granted.sort(), [...new Set(wanted)].sort());
  });
}

test("enabling a service changes the operator's targets and so rolls its pods", () => {
  const prod = loadEnvironment("prod");
  const withoutEscrow = {
    ...prod,
    services: { ...prod.services, escrow: { ...prod.services.escrow, enabled: false } },
  };
  const digestOf = (environment: typeof prod) => {
    const manifests = Testing.synth(new OperatorChart(Testing.app(), "operator", environment));
    const deployment = manifests.find((o) => o.kind === "Deployment")!;
    return deployment.spec.template.metadata.annotations[configDigestAnnotation] as string;
  };
  assert.match(digestOf(prod), /^[0-9a-f]{64}$/);
  assert.is(digestOf(prod), digestOf(prod));
  assert.is.not(digestOf(prod), digestOf(withoutEscrow));
});

function mountedTargets(
  objects: readonly RenderedObject[],
  namespace: string,
  variables: ReadonlyMap<string, VariableSource>,
): Targets {
  const file = loadConfig(startEnvironment(variables)).targetsFile;
  return parseTargets(mountedConfigMapFile(objects, namespace, operatorName, file) ?? "", file);
}

function isOperator(subjects: readonly any[] | undefined): boolean {
  return (subjects ?? []).some(
    (subject) =>
      subject.kind === "ServiceAccount" &&
      subject.name === operatorServiceAccount &&
      subject.namespace === operatorNamespace,
  );
}

for (const name of environmentNames) {
  test(`${name}: the operator container runs operators/main.ts from the shared image`, () => {
    const chart = new OperatorChart(Testing.app(), "operator", loadEnvironment(name));
    const deployments = Testing.synth(chart).filter((object) => object.kind === "Deployment");
    assert.is(deployments.length, 1);
    const pod = deployments[0].spec.template.spec;
    const [container] = pod.containers;
    assert.equal(container.command, imageEntrypoint);
    assert.equal(container.args, [...operatorNodeFlags, operatorProgram]);
    assert.ok(existsSync(join(import.meta.dirname, "..", operatorProgram)));
    const [repository, tag] = container.image.split(":");
    assert.is(repository, breakwaterImage("0.0.0").repository);
    assert.match(tag, /^\d+\.\d+\.\d+/, `a release tag, not ${tag}`);
    assert.is(pod.securityContext.runAsUser, imageUser);
    assert.is(container.securityContext.runAsUser, imageUser);
  });
}

for (const name of environmentNames) {
  test(`${name}: two replicas, a disruption budget of one, probes on their own endpoints`, () => {
    const chart = new OperatorChart(Testing.app(), "operator", loadEnvironment(name));
    const objects = Testing.synth(chart);
    const deployment = objects.find((object) => object.kind === "Deployment");
    assert.is(deployment.spec.replicas, 2);
    const [container] = deployment.spec.template.spec.containers;
    const port = container.ports[0].containerPort;
    assert.equal(
      { path: container.livenessProbe.httpGet.path, port: container.livenessProbe.httpGet.port },
      { path: livenessPath, port },
    );
    assert.equal(
      { path: container.readinessProbe.httpGet.path, port: container.readinessProbe.httpGet.port },
      { path: readinessPath, port },
    );
    assert.is.not(livenessPath, readinessPath);
    const budgets = objects.filter((object) => object.kind === "PodDisruptionBudget");
    assert.is(budgets.length, 1);
    assert.is(budgets[0].spec.minAvailable, 1);
    const podLabels = deployment.spec.template.metadata.labels;
    const selected = Object.entries(budgets[0].spec.selector.matchLabels);
    assert.ok(selected.length > 0);
    for (const [key, value] of selected) assert.is(podLabels[key], value, key);
    const monitor = objects.find((object) => object.kind === "ServiceMonitor");
    assert.is(monitor.spec.endpoints[0].honorLabels, true);
  });
}

test("a variable the operator does not read is visible to the check", () => {
  const read = variablesTheOperatorReads();
  assert.not.ok(read.has("AUTOPILOT_ENABLED"));
  assert.ok(read.has("REDIS_URL"));
});

test.run();
