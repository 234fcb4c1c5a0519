/**
 * @module What each namespace may reach once the platform's NetworkPolicies are in place:
 * closed by default, DNS everywhere, and only the traffic each namespace's job needs.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEnvironment } from "../environments";
import { type NamespacePlan, planNamespaces } from "./namespace-plan";
import { type NetworkPolicyDefinition, networkPoliciesFor } from "./network-policy-specs";

const environment = loadEnvironment("prod");
const plans = planNamespaces(environment);

function plan(name: string): NamespacePlan {
  const found = plans.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no namespace ${name}`);
  return found;
}

function policies(name: string): NetworkPolicyDefinition[] {
  return networkPoliciesFor(name, plan(name).allow);
}

/** Ports reachable at `0.0.0.0/0` (the internet and the API server) from `name`. */
function portsToAnywhere(name: string): number[] {
  return policies(name)
    .flatMap((policy) => policy.spec.egress ?? [])
    .filter((rule) => JSON.stringify(rule.to).includes("0.0.0.0/0"))
    .flatMap((rule) => (rule.ports ?? []).map((port) => Number(port.port)))
    .sort((a, b) => a - b);
}

/** Namespaces `name` may open connections to (beyond DNS). */
function egressNamespaces(name: string): string[] {
  return policies(name)
    .filter((policy) => policy.name !== "allow-dns-egress")
    .flatMap((policy) => policy.spec.egress ?? [])
    .flatMap((rule) => (Array.isArray(rule.to) ? rule.to : []))
    .map((peer) => JSON.stringify(peer).match(/"kubernetes.io\/metadata.name":"([^"]+)"/)?.[1])
    .filter((found): found is string => found !== undefined);
}

test("every namespace's first policy denies all ingress and egress", () => {
  for (const { name } of plans) {
    const [first] = policies(name);
    assert.is(first?.name, "default-deny", name);
    assert.equal(first?.spec.policyTypes, ["Ingress", "Egress"]);
  }
});

test("the services namespace opens nothing beyond DNS: each service's own policy does", () => {
  const services = environment.namespaces.services.name;
  assert.equal(
    policies(services).map((policy) => policy.name),
    ["default-deny", "allow-dns-egress"],
  );
});

test("the control operator reaches the services' admin APIs and Redis in the data plane", () => {
  const system = environment.namespaces.system.name;
  assert.equal(
    egressNamespaces(system).sort(),
    [environment.namespaces.services.name, environment.namespaces.data.name, system].sort(),
  );
});

test("the data plane reaches the object store over HTTPS and the API server", () => {
  assert.equal(portsToAnywhere(environment.namespaces.data.name), [443, 443, 6443]);
});

test("Argo CD reaches git over HTTPS and SSH", () => {
  const ports = portsToAnywhere(environment.namespaces.gitops.name);
  assert.ok(ports.includes(22) && ports.includes(443));
});

test("the operator namespaces accept their admission webhooks' calls", () => {
  const ingressPorts = (name: string) =>
    policies(name)
      .filter((policy) => policy.name === "allow-webhook-ingress")
      .flatMap((policy) => policy.spec.ingress ?? [])
      .flatMap((rule) => (rule.ports ?? []).map((port) => Number(port.port)));
  assert.equal(ingressPorts("cert-manager"), [10250]);
  assert.equal(ingressPorts("cnpg-system"), [9443]);
});

test("the redis-operator reaches the Redis pods it configures, and the data plane lets it in", () => {
  const data = environment.namespaces.data.name;
  const others = egressNamespaces("redis-operator").filter((name) => name !== "redis-operator");
  assert.equal(others, [data]);
  const admitted = policies(data)
    .filter((policy) => policy.name === "allow-ingress-from-namespaces")
    .flatMap((policy) => JSON.stringify(policy.spec.ingress));
  assert.ok(admitted.join("").includes('"redis-operator"'), "data plane does not admit it");
  // It runs no admission webhook, so nothing may call into its namespace but monitoring.
  const names = policies("redis-operator").map((policy) => policy.name);
  assert.not.ok(names.includes("allow-webhook-ingress"));
});

test("monitoring scrapes every other namespace, and lists none twice or itself", () => {
  const monitoring = environment.namespaces.monitoring.name;
  const targets = egressNamespaces(monitoring).filter((name) => name !== monitoring);
  const others = plans.map((candidate) => candidate.name).filter((name) => name !== monitoring);
  assert.equal([...targets].sort(), [...others].sort());
});

test("a namespace never names itself as a peer: same-namespace traffic has its own policy", () => {
  for (const { name, allow } of plans) {
    const forSelf = networkPoliciesFor(name, {
      ...allow,
      egressToNamespaces: [name],
      ingressFromNamespaces: [name],
    });
    const names = forSelf.map((policy) => policy.name);
    assert.not.ok(names.includes("allow-egress-to-namespaces"), name);
    assert.not.ok(names.includes("allow-ingress-from-namespaces"), name);
  }
});

test.run();
