/**
 * @module The hooks Argo CD runs around a service's sync, as rendered: with safeMigrations a
 * PreSync Job runs the migrate program with only DATABASE_URL and the replicas no longer
 * migrate at start; without it there is no migration Job and the replicas migrate; a PostSync
 * Job runs the smoke program against the service's in-cluster URL. Each Job's NetworkPolicy
 * is a hook of the same phase, and no hook pod carries the service's selector labels.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { environmentNames, loadEnvironment } from "../environments";
import { hookAnnotation, hookDeletePolicyAnnotation } from "./constructs/hook-job";
import { imageEntrypoint, migrateProgram, smokeProgram } from "./container-image";
import { renderEnvironment } from "./render";

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests of many kinds, read by path.
type Manifest = any;

function render(environment: ReturnType<typeof loadEnvironment>): Manifest[] {
  return renderEnvironment(environment).map(({ object }) => object);
}

function find(objects: Manifest[], kind: string, name: string): Manifest | undefined {
  return objects.find((object) => object.kind === kind && object.metadata.name === name);
}

for (const name of environmentNames) {
  test(`${name}: payments migrates in a PreSync Job and smoke-tests in a PostSync Job`, () => {
    const environment = loadEnvironment(name);
    assert.ok(environment.features.safeMigrations, "every environment has safeMigrations on");
    const objects = render(environment);
    const migrate = find(objects, "Job", "payments-migrate");
    assert.ok(migrate, "payments-migrate Job");
    assert.is(migrate.metadata.annotations[hookAnnotation], "PreSync");
    assert.is(
      migrate.metadata.annotations[hookDeletePolicyAnnotation],
      "BeforeHookCreation,HookSucceeded",
    );
    const container = migrate.spec.template.spec.containers[0];
    assert.equal(container.command, [...imageEntrypoint]);
    assert.equal(container.args, [migrateProgram, "payments"]);
    assert.equal(
      container.env.map((variable: Manifest) => variable.name),
      ["DATABASE_URL"],
    );
    const deployment = find(objects, "Deployment", "payments");
    assert.is(container.image, deployment.spec.template.spec.containers[0].image);
    const config = find(objects, "ConfigMap", "payments-config");
    assert.is(config.data.MIGRATE_AT_START, "false");

    const smoke = find(objects, "Job", "payments-smoke");
    assert.is(smoke.metadata.annotations[hookAnnotation], "PostSync");
    const smokeContainer = smoke.spec.template.spec.containers[0];
    assert.equal(smokeContainer.args, [smokeProgram, "payments"]);
    assert.equal(smokeContainer.env, [
      {
        name: "SMOKE_URL",
        value: `http://payments.${environment.namespaces.services.name}.svc.cluster.local:8080`,
      },
    ]);

    for (const [job, phase] of [
      ["payments-migrate", "PreSync"],
      ["payments-smoke", "PostSync"],
    ] as const) {
      const policy = find(objects, "NetworkPolicy", job);
      assert.is(policy.metadata.annotations[hookAnnotation], phase, `${job} policy phase`);
      const labels = find(objects, "Job", job).spec.template.metadata.labels;
      assert.is(labels["app.kubernetes.io/name"], job, "hook pods never match the service");
    }
  });
}

test("without safeMigrations: no migration Job, and the replicas migrate at start", () => {
  const environment = loadEnvironment("dev");
  const objects = render({
    ...environment,
    features: { ...environment.features, safeMigrations: false },
  });
  assert.is(find(objects, "Job", "payments-migrate"), undefined);
  assert.is(find(objects, "NetworkPolicy", "payments-migrate"), undefined);
  assert.is(find(objects, "ConfigMap", "payments-config").data.MIGRATE_AT_START, undefined);
  assert.ok(find(objects, "Job", "payments-smoke"));
});

test.run();
