/**
 * @module Per environment, every namespace the platform creates is closed by default (deny all
 * ingress and egress, DNS allowed) and sized as the environment configures it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { environmentNames, loadEnvironment } from "../environments";
import { ofType, type RecordedResource, runPlatformStack } from "./testing/mock-stack";

interface PolicyInputs {
  metadata: { name: string; namespace: string };
  spec: {
    podSelector: Record<string, unknown>;
    policyTypes: string[];
    ingress?: unknown[];
    egress?: Array<{ ports?: Array<{ protocol: string; port: number }> }>;
  };
}

function policiesIn(policies: RecordedResource[], namespace: string): PolicyInputs[] {
  return policies
    .map((policy) => policy.inputs as unknown as PolicyInputs)
    .filter((policy) => policy.metadata.namespace === namespace);
}

for (const environmentName of environmentNames) {
  const environment = loadEnvironment(environmentName);

  test(`${environmentName}: creates the environment's namespaces and the operators'`, async () => {
    const run = await runPlatformStack(environmentName);
    const names = ofType(run, "kubernetes:core/v1:Namespace").map(
      (ns) => (ns.inputs as { metadata: { name: string } }).metadata.name,
    );
    for (const namespace of Object.values(environment.namespaces)) {
      assert.ok(names.includes(namespace.name), namespace.name);
    }
    for (const operator of ["cert-manager", "cnpg-system", "redpanda-system", "redis-operator"]) {
      assert.ok(names.includes(operator), operator);
    }
  });

  test(`${environmentName}: every namespace denies all ingress and egress by default`, async () => {
    const run = await runPlatformStack(environmentName);
    const policies = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    for (const namespace of ofType(run, "kubernetes:core/v1:Namespace")) {
      const name = (namespace.inputs as { metadata: { name: string } }).metadata.name;
      const deny = policiesIn(policies, name).find((p) => p.metadata.name === "default-deny");
      assert.ok(deny, `${name} has no default-deny policy`);
      assert.equal(deny.spec.podSelector, {}, `${name}: default-deny must select every pod`);
      assert.equal([...deny.spec.policyTypes].sort(), ["Egress", "Ingress"]);
      assert.equal(deny.spec.ingress ?? [], []);
      assert.equal(deny.spec.egress ?? [], []);
    }
  });

  test(`${environmentName}: every namespace may resolve names over UDP and TCP 53`, async () => {
    const run = await runPlatformStack(environmentName);
    const policies = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    for (const namespace of ofType(run, "kubernetes:core/v1:Namespace")) {
      const name = (namespace.inputs as { metadata: { name: string } }).metadata.name;
      const dns = policiesIn(policies, name).find((p) => p.metadata.name === "allow-dns-egress");
      assert.ok(dns, `${name} has no DNS egress policy`);
      const ports = dns.spec.egress?.[0]?.ports ?? [];
      assert.equal(
        ports.map((port) => `${port.protocol}/${port.port}`),
        ["UDP/53", "TCP/53"],
      );
    }
  });

  test(`${environmentName}: quotas are exactly the environment's`, async () => {
    const run = await runPlatformStack(environmentName);
    const quotas = ofType(run, "kubernetes:core/v1:ResourceQuota").map(
      (quota) =>
        quota.inputs as { metadata: { namespace: string }; spec: { hard: Record<string, string> } },
    );
    for (const namespace of Object.values(environment.namespaces)) {
      const found = quotas.find((quota) => quota.metadata.namespace === namespace.name);
      if (!namespace.quota) {
        assert.is(found, undefined, `${namespace.name} has a quota the environment does not set`);
        continue;
      }
      assert.ok(found, `${namespace.name} has no ResourceQuota`);
      assert.equal(found.spec.hard, {
        "requests.cpu": namespace.quota.requestsCpu,
        "requests.memory": namespace.quota.requestsMemory,
        "limits.cpu": namespace.quota.limitsCpu,
        "limits.memory": namespace.quota.limitsMemory,
        pods: String(namespace.quota.pods),
      });
    }
  });

  test(`${environmentName}: a quota'd namespace gives containers default resources`, async () => {
    const run = await runPlatformStack(environmentName);
    const limited = ofType(run, "kubernetes:core/v1:LimitRange").map(
      (range) => (range.inputs as { metadata: { namespace: string } }).metadata.namespace,
    );
    for (const quota of ofType(run, "kubernetes:core/v1:ResourceQuota")) {
      const namespace = (quota.inputs as { metadata: { namespace: string } }).metadata.namespace;
      assert.ok(limited.includes(namespace), `${namespace} has a quota but no LimitRange`);
    }
  });
}

test("prod is sized as configured: its data-plane quota is its own, not staging's", async () => {
  const prod = loadEnvironment("prod");
  const staging = loadEnvironment("staging");
  assert.is.not(
    prod.namespaces.data.quota?.requestsCpu,
    staging.namespaces.data.quota?.requestsCpu,
  );
  const run = await runPlatformStack("prod");
  const dataQuota = ofType(run, "kubernetes:core/v1:ResourceQuota")
    .map(
      (quota) =>
        quota.inputs as { metadata: { namespace: string }; spec: { hard: Record<string, string> } },
    )
    .find((quota) => quota.metadata.namespace === prod.namespaces.data.name);
  assert.is(dataQuota?.spec.hard["requests.cpu"], prod.namespaces.data.quota?.requestsCpu);
});

test.run();
