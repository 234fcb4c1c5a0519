/**
 * @module Tests that the requestedBy policy covers every control kind (and only their main
 * resources, so status writes pass), fails closed, and exempts exactly the identities the
 * platform runs Argo CD's controller as (the autopilot names itself and is not exempt).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { environmentNames, loadEnvironment } from "../../environments";
import { controlGroup, controlKinds, controlVersion } from "../../operators/crds/index";
import {
  onBehalfRequesters,
  requestedByPolicyManifests,
  requestedByPolicyName,
  serviceAccountUsername,
} from "./requested-by";

// biome-ignore lint/suspicious/noExplicitAny: manifests are plain JSON
const [policy, binding] = requestedByPolicyManifests() as any[];

test("matches CREATE and UPDATE of every control kind's main resource, no subresource", () => {
  const [rule, ...others] = policy.spec.matchConstraints.resourceRules;
  assert.equal(others, []);
  assert.equal(rule.apiGroups, [controlGroup]);
  assert.equal(rule.apiVersions, [controlVersion]);
  assert.equal(rule.operations, ["CREATE", "UPDATE"]);
  assert.equal(
    [...rule.resources].sort(),
    controlKinds.map((definition) => definition.plural).sort(),
  );
  assert.not.ok(rule.resources.some((resource: string) => resource.includes("/")));
});

test("fails closed and denies through its binding", () => {
  assert.is(policy.spec.failurePolicy, "Fail");
  assert.is(binding.kind, "ValidatingAdmissionPolicyBinding");
  assert.is(binding.spec.policyName, requestedByPolicyName);
  assert.equal(binding.spec.validationActions, ["Deny"]);
});

test("the exempt list is written into the policy", () => {
  const onBehalf = policy.spec.variables.find(
    (variable: { name: string }) => variable.name === "onBehalf",
  );
  for (const username of onBehalfRequesters) assert.match(onBehalf.expression, `"${username}"`);
});

for (const name of environmentNames) {
  test(`${name}: the exemption is where the platform runs Argo CD, and nobody else`, () => {
    const environment = loadEnvironment(name);
    const argoCd = serviceAccountUsername(
      environment.namespaces.gitops.name,
      "argocd-application-controller",
    );
    assert.equal([...onBehalfRequesters], [argoCd]);
  });
}

test.run();
