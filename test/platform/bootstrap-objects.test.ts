/**
 * @module The Kubernetes objects the platform program creates for each environment (its
 * namespaces, quotas, LimitRanges, NetworkPolicies, the backup Secret and the Argo CD root
 * Application) are accepted by a real kube-apiserver: namespaces applied for real, everything
 * else as a server-side dry run, the Application against Argo CD v3.5.1's own CRD.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stringify } from "yaml";
import { environmentNames } from "../../environments";
import { upstreamCrdPath } from "../../platform/crds/upstream-crds";
import { isSecretValue, runPlatformStack } from "../../platform/testing/mock-stack";
import { applyCrds, type KubeCluster, startKube } from "../harness/kube";

/** Engine inputs back into a manifest: secret envelopes opened, as the provider would send. */
function toManifest(value: unknown): unknown {
  if (isSecretValue(value)) return toManifest(value.value);
  if (Array.isArray(value)) return value.map(toManifest);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toManifest(item)]));
  }
  return value;
}

async function manifestsOf(environmentName: string) {
  const run = await runPlatformStack(environmentName);
  const objects = run.resources
    .filter((resource) => resource.custom && resource.type.startsWith("kubernetes:"))
    .map((resource) => toManifest(resource.inputs) as { kind: string });
  return {
    namespaces: objects.filter((object) => object.kind === "Namespace"),
    others: objects.filter((object) => object.kind !== "Namespace"),
  };
}

function asYaml(objects: readonly unknown[]): string {
  return objects.map((object) => `---\n${stringify(object)}`).join("");
}

let kube: KubeCluster;

test.before(async () => {
  kube = await startKube();
  await applyCrds(kube, [upstreamCrdPath("argoproj.io_applications.yaml")]);
});

test.after(async () => {
  await kube?.stop();
});

for (const environmentName of environmentNames) {
  test(`${environmentName}: the API server accepts every bootstrap object`, async () => {
    const { namespaces, others } = await manifestsOf(environmentName);
    const kinds = new Set(others.map((object) => object.kind));
    for (const kind of ["NetworkPolicy", "ResourceQuota", "LimitRange", "Secret", "Application"]) {
      assert.ok(kinds.has(kind), `${environmentName} creates no ${kind}`);
    }
    const created = await kube.kubectl(["apply", "--server-side", "-f", "-"], {
      input: asYaml(namespaces),
    });
    assert.is(created.code, 0, created.stderr);
    const dryRun = await kube.kubectl(
      ["apply", "--server-side", "--dry-run=server", "-o", "name", "-f", "-"],
      { input: asYaml(others) },
    );
    assert.is(dryRun.code, 0, dryRun.stderr);
    assert.is(dryRun.stdout.trim().split("\n").length, others.length);
  });
}

test("the API server rejects a root Application whose sync policy is malformed", async () => {
  // Guards the test above: the CRD's schema really is enforced on dry runs.
  const { others } = await manifestsOf("prod");
  const application = others.find((object) => object.kind === "Application") as unknown as {
    spec: { syncPolicy: { retry: { limit: unknown } } };
  };
  application.spec.syncPolicy.retry.limit = "ten";
  const dryRun = await kube.kubectl(["apply", "--server-side", "--dry-run=server", "-f", "-"], {
    input: asYaml([application]),
  });
  assert.is.not(dryRun.code, 0);
  assert.match(dryRun.stderr, /limit/);
});

test.run();
