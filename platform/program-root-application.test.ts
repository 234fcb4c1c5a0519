/**
 * @module Per environment, the Argo CD root application follows `rendered/<env>` of the
 * configured repository, syncs on its own, prunes only outside prod, and waits for Argo CD.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { environmentNames, loadEnvironment } from "../environments";
import { named, runPlatformStack } from "./testing/mock-stack";

const applicationType = "kubernetes:argoproj.io/v1alpha1:Application";

interface ApplicationInputs {
  metadata: { name: string; namespace: string };
  spec: {
    project: string;
    source: { repoURL: string; targetRevision: string; path: string; directory: unknown };
    destination: { server: string };
    syncPolicy: {
      automated: { prune: boolean; selfHeal: boolean };
      syncOptions: string[];
    };
  };
}

async function rootApplication(environmentName: string, config: Record<string, string> = {}) {
  const run = await runPlatformStack(environmentName, config);
  const application = named(run, applicationType, "breakwater");
  return { run, application, inputs: application.inputs as unknown as ApplicationInputs };
}

for (const environmentName of environmentNames) {
  const environment = loadEnvironment(environmentName);

  test(`${environmentName}: the root application syncs rendered/${environmentName}`, async () => {
    const { inputs } = await rootApplication(environmentName);
    assert.is(inputs.spec.source.path, `rendered/${environmentName}`);
    assert.is(inputs.metadata.namespace, environment.namespaces.gitops.name);
    assert.is(inputs.spec.source.repoURL, environment.gitops.repoURL);
    assert.is(inputs.spec.source.targetRevision, environment.gitops.revision);
    assert.is(inputs.spec.destination.server, "https://kubernetes.default.svc");
  });

  test(`${environmentName}: the repository comes from the stack's config when set`, async () => {
    const fork = "https://git.example.com/platform/breakwater.git";
    const { inputs } = await rootApplication(environmentName, {
      repoUrl: fork,
      revision: "v1.2.0",
    });
    assert.is(inputs.spec.source.repoURL, fork);
    assert.is(inputs.spec.source.targetRevision, "v1.2.0");
  });

  test(`${environmentName}: syncs automatically, undoing hand edits`, async () => {
    const { inputs } = await rootApplication(environmentName);
    assert.is(inputs.spec.syncPolicy.automated.selfHeal, true);
    assert.ok(inputs.spec.syncPolicy.syncOptions.includes("ServerSideApply=true"));
  });

  test(`${environmentName}: waits for Argo CD and the operators before syncing`, async () => {
    const { run, application } = await rootApplication(environmentName);
    const charts = [
      "argo-cd",
      "cert-manager",
      "cloudnative-pg",
      "barman-cloud-plugin",
      "redpanda-operator",
      "redis-operator",
    ];
    for (const chart of charts) {
      const urn = named(run, "kubernetes:helm.sh/v4:Chart", chart).urn;
      assert.ok(application.dependencyUrns.includes(urn), `does not wait for ${chart}`);
    }
  });
}

test("prune is automatic in dev and staging, never in prod", async () => {
  const pruning: Record<string, boolean> = {};
  for (const environmentName of environmentNames) {
    const { inputs } = await rootApplication(environmentName);
    pruning[environmentName] = inputs.spec.syncPolicy.automated.prune;
  }
  assert.equal(pruning, { dev: true, staging: true, prod: false });
});

test.run();
