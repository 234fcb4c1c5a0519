/**
 * @module Tests that every rendered service can review people on its admin endpoints and reads
 * its read replicas where it has them: it runs as its own ServiceAccount with the token
 * mounted, that account is bound to `system:auth-delegator` (TokenReview and
 * SubjectAccessReview) and to nothing else, the service is told to use it in-cluster and to
 * ask RBAC in the services' namespace, its NetworkPolicy lets it reach the API server, the
 * resolver ClusterRole people are bound to is rendered exactly as payments asks RBAC, and
 * `DB_READONLY_ENDPOINT` comes from the `-ro` URL exactly where the database has replicas.
 * A service no person administers (the status page) is bound only to the ClusterRoles of
 * what it reads.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { environmentNames, loadEnvironment } from "../environments";
import { payoutResolverClusterRole, payoutResolverRole } from "../services/payments/admin-roles";
import { authDelegatorRole } from "./constructs/service-identity";
import { containerEnvironment, findDeployment, type RenderedObject } from "./container-environment";
import { renderEnvironment } from "./render";
import { hasReadReplicas, readOnlyUriKey, serviceCatalog } from "./service-catalog";

interface Binding {
  readonly roleRef: { readonly kind: string; readonly name: string };
  readonly subjects: readonly {
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string;
  }[];
}

interface EgressRule {
  readonly to?: readonly { readonly ipBlock?: { readonly cidr: string } }[];
  readonly ports?: readonly { readonly port: number }[];
}

for (const name of environmentNames) {
  const environment = loadEnvironment(name);
  const objects = renderEnvironment(environment).map(({ object }) => object as RenderedObject);
  const namespace = environment.namespaces.services.name;
  const enabled = Object.entries(environment.services)
    .filter(([, service]) => service.enabled)
    .map(([service]) => service as keyof typeof serviceCatalog);
  const find = (kind: string, objectName: string) =>
    objects.find((object) => object.kind === kind && object.metadata.name === objectName);
  const reviewers = enabled.filter((service) => serviceCatalog[service].reviewsPeople ?? true);

  test(`${name}: each service runs as its own ServiceAccount, which may only review people and read its own objects`, () => {
    assert.ok(enabled.length > 0);
    for (const service of enabled) {
      const account = find("ServiceAccount", service) as RenderedObject & {
        automountServiceAccountToken?: boolean;
      };
      assert.ok(account, `ServiceAccount ${service}`);
      assert.is(account.metadata.namespace, namespace);
      const { pod } = findDeployment(objects, namespace, service);
      const spec = pod as unknown as {
        serviceAccountName?: string;
        automountServiceAccountToken?: boolean;
      };
      assert.is(spec.serviceAccountName, service);
      assert.is(spec.automountServiceAccountToken, true, `${service} mounts its token`);
      const bindings = objects.filter(
        (object) =>
          object.kind === "ClusterRoleBinding" &&
          (object as unknown as Binding).subjects.some(
            (subject) =>
              subject.kind === "ServiceAccount" &&
              subject.name === service &&
              subject.namespace === namespace,
          ),
      ) as unknown as Binding[];
      const roles = [
        ...(reviewers.includes(service) ? [authDelegatorRole] : []),
        ...(serviceCatalog[service].ownRoles ?? []).map(
          (role) => (role.metadata as { name: string }).name,
        ),
      ];
      assert.equal(
        bindings.map((binding) => binding.roleRef),
        roles.map((role) => ({
          apiGroup: "rbac.authorization.k8s.io",
          kind: "ClusterRole",
          name: role,
        })),
      );
      const roleBindings = objects.filter(
        (object) =>
          object.kind === "RoleBinding" && JSON.stringify(object).includes(`"name":"${service}"`),
      );
      assert.equal(roleBindings, [], `${service}'s account is granted nothing else`);
    }
  });

  test(`${name}: each service reviews people in-cluster, asks RBAC in its namespace and reaches the API server`, () => {
    assert.ok(reviewers.length > 0);
    for (const service of enabled) {
      const variables = containerEnvironment(objects, namespace, service);
      if (!reviewers.includes(service)) {
        assert.is(
          variables.get("ADMIN_IDENTITY_KUBECONFIG"),
          undefined,
          `${service} reviews no one`,
        );
        continue;
      }
      assert.equal(variables.get("ADMIN_IDENTITY_KUBECONFIG"), {
        from: "configMap",
        name: `${service}-config`,
        key: "ADMIN_IDENTITY_KUBECONFIG",
        value: "in-cluster",
      });
      const asked = variables.get("ADMIN_IDENTITY_NAMESPACE");
      assert.is(asked?.from === "configMap" ? asked.value : undefined, namespace);
      const policy = objects.find(
        (object) =>
          object.kind === "NetworkPolicy" &&
          object.metadata.namespace === namespace &&
          object.metadata.name === service,
      );
      assert.ok(policy, `NetworkPolicy ${service}`);
      const egress = (policy.spec as { egress: EgressRule[] }).egress;
      const apiServer = egress.find((rule) => rule.ports?.some((port) => port.port === 6443));
      assert.ok(apiServer, `${service} may reach the API server`);
      assert.equal(
        apiServer.ports?.map((port) => port.port),
        [443, 6443],
      );
    }
  });

  test(`${name}: the resolver ClusterRole grants exactly what payments asks RBAC`, () => {
    const role = find("ClusterRole", payoutResolverRole) as unknown as
      | { rules: unknown[] }
      | undefined;
    if (!enabled.includes("payments")) {
      assert.is(role, undefined);
      return;
    }
    assert.ok(role, `${payoutResolverRole} is rendered`);
    assert.equal(role.rules, payoutResolverClusterRole().rules);
    const verbs = (role.rules as { resources: string[]; verbs: string[] }[]).flatMap((rule) =>
      rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${verb} ${resource}`)),
    );
    assert.equal(verbs.sort(), ["list payouts/manual-review", "list webhooks", "resolve payouts"]);
  });

  test(`${name}: DB_READONLY_ENDPOINT is the -ro URL exactly where the database has replicas`, () => {
    for (const service of enabled) {
      const variable = containerEnvironment(objects, namespace, service).get(
        "DB_READONLY_ENDPOINT",
      );
      if (!hasReadReplicas(environment, service)) {
        assert.is(variable, undefined, `${service}'s database has no replica`);
        continue;
      }
      assert.equal(variable, { from: "secret", name: `${service}-database`, key: readOnlyUriKey });
    }
  });
}

test("prod's and staging's payments read from replicas, dev's single instance does not", () => {
  assert.ok(hasReadReplicas(loadEnvironment("prod"), "payments"));
  assert.ok(hasReadReplicas(loadEnvironment("staging"), "payments"));
  assert.not.ok(hasReadReplicas(loadEnvironment("dev"), "payments"));
});

test.run();
