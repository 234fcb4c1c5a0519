/**
 * @module Every rendered object of every environment, and the restore command's output, is
 * accepted by a real kube-apiserver (`kubectl apply --server-side --dry-run=server`) with the
 * upstream CRDs and breakwater's own installed — the same check Argo CD's sync would make.
 * Applied for real, the services' identities grant what they should (the API server's own
 * answer), and the operator's EdgeDegradation target is the rendered edge's Service.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { environmentNames, loadAllEnvironments, loadEnvironment } from "../../environments";
import { controlGroup } from "../../operators/crds/index";
import { defaultTargetsPath, loadTargets } from "../../operators/targets";
import { upstreamCrdDirectory } from "../../platform/crds/upstream-crds";
import { publishedKinds } from "../../services/status-page/published-controls";
import { applyCrds, type KubeCluster, startKube } from "../harness/kube";
import { makeTempDir } from "../harness/process";

const root = resolve(import.meta.dirname, "..", "..");
const ownCrds = join(root, "operators", "crds", "generated");

let kube: KubeCluster;

function yamlFiles(folder: string, prefix = ""): string[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith(".yaml") && name.startsWith(prefix))
    .sort()
    .map((name) => join(folder, name));
}

async function dryRun(args: string[], input?: string) {
  return kube.kubectl(
    ["apply", "--server-side", "--dry-run=server", "--field-manager=breakwater-test", ...args],
    input === undefined ? {} : { input },
  );
}

test.before(async () => {
  kube = await startKube();
  await applyCrds(kube, [
    ...yamlFiles(upstreamCrdDirectory),
    ...yamlFiles(ownCrds, "ops.breakwater.dev_"),
  ]);
  const namespaces = new Set(
    loadAllEnvironments().flatMap((environment) =>
      Object.values(environment.namespaces).map((namespace) => namespace.name),
    ),
  );
  for (const namespace of [...namespaces].sort()) {
    const created = await kube.kubectl(["create", "namespace", namespace]);
    assert.is(created.code, 0, created.stderr);
  }
});

test.after(async () => {
  await kube?.stop();
});

for (const name of environmentNames) {
  test(`every rendered object of ${name} is accepted by the API server`, async () => {
    const result = await dryRun(["--recursive", "-f", join(root, "rendered", name)]);
    assert.is(result.code, 0, result.stderr);
    const applied = result.stdout.split("\n").filter((line) => line.includes("(server dry run)"));
    const files = execFileSync("find", [join(root, "rendered", name), "-name", "*.yaml"], {
      encoding: "utf8",
    });
    assert.is(applied.length, files.trim().split("\n").length, result.stdout);
  });
}

test("the restore command's recovery Cluster is accepted by the API server", async () => {
  const output = join(makeTempDir("restore"), "payments-db-restore.yaml");
  const target = new Date(Date.now() - 60 * 60 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  const environment = loadEnvironment("prod");
  execFileSync(
    join(root, "node_modules", ".bin", "tsx"),
    ["charts/synth.ts", "--restore", "payments-db", "--to", target, "--output", output],
    { cwd: root, stdio: "pipe" },
  );
  const result = await dryRun(["-f", output]);
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stdout, `cluster.postgresql.cnpg.io/payments-db-pitr-`);
  assert.ok(environment.postgres.payments.backup.pitr);
});

/** The API server's SubjectAccessReview answer for `user` and `attributes`, as a service asks it. */
async function allowed(user: string, attributes: Record<string, string>): Promise<boolean> {
  const review = JSON.stringify({
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: { user, resourceAttributes: attributes },
  });
  const result = await kube.kubectl(["create", "-f", "-", "-o", "json"], { input: review });
  assert.is(result.code, 0, result.stderr);
  return JSON.parse(result.stdout).status?.allowed === true;
}

/** `kubectl auth can-i` as `user`: the API server's own answer, "yes" or "no". */
async function canI(user: string, args: string[]): Promise<string> {
  const result = await kube.kubectl(["auth", "can-i", ...args, "--as", user]);
  return result.stdout.trim();
}

test("applied, prod's service identity may review people and nothing else, and the resolver role decides payouts", async () => {
  const services = join(root, "rendered", "prod", "services");
  const identity = yamlFiles(services).filter((file) =>
    /\/(serviceaccount|clusterrolebinding|clusterrole)-/.test(file),
  );
  assert.ok(identity.length >= 3);
  const applied = await kube.kubectl([
    "apply",
    "--server-side",
    ...identity.flatMap((file) => ["-f", file]),
  ]);
  assert.is(applied.code, 0, applied.stderr);
  const namespace = loadEnvironment("prod").namespaces.services.name;
  const payments = `system:serviceaccount:${namespace}:payments`;
  assert.is(await canI(payments, ["create", "tokenreviews.authentication.k8s.io"]), "yes");
  assert.is(await canI(payments, ["create", "subjectaccessreviews.authorization.k8s.io"]), "yes");
  assert.is(await canI(payments, ["get", "secrets", "-n", namespace]), "no");
  const bound = await kube.kubectl([
    ...["create", "clusterrolebinding", "oncall-resolves-payouts"],
    ...["--clusterrole=breakwater-payout-resolver", "--user=oncall"],
  ]);
  assert.is(bound.code, 0, bound.stderr);
  // What payments asks for each request (services/payments/payouts-api.ts, webhook-events-api.ts).
  const resolve = {
    group: "payments.breakwater.dev",
    resource: "payouts",
    verb: "resolve",
    namespace,
  };
  const listQueue = {
    group: "payments.breakwater.dev",
    resource: "webhooks",
    verb: "list",
    namespace,
  };
  assert.is(await allowed("oncall", resolve), true);
  assert.is(await allowed("oncall", listQueue), true);
  assert.is(await allowed("someone-else", resolve), false);
});

/** Apply rendered files of prod's services for real (server-side, as Argo CD does). */
async function applyProdServices(pattern: RegExp): Promise<string[]> {
  const files = yamlFiles(join(root, "rendered", "prod", "services")).filter((file) =>
    pattern.test(file),
  );
  assert.ok(files.length > 0, `no rendered file matches ${pattern}`);
  const applied = await kube.kubectl([
    "apply",
    "--server-side",
    "--field-manager=breakwater-test",
    ...files.flatMap((file) => ["-f", file]),
  ]);
  assert.is(applied.code, 0, applied.stderr);
  return files;
}

test("applied, prod's status page may list and watch the controls it publishes and nothing else", async () => {
  await applyProdServices(/\/(serviceaccount|clusterrolebinding|clusterrole)-.*status-page/);
  const namespace = loadEnvironment("prod").namespaces.services.name;
  const statusPage = `system:serviceaccount:${namespace}:status-page`;
  const kinds = publishedKinds().map((definition) => `${definition.plural}.${controlGroup}`);
  assert.ok(kinds.length > 0);
  for (const kind of kinds) {
    assert.is(await canI(statusPage, ["list", kind, "--all-namespaces"]), "yes", `list ${kind}`);
    assert.is(await canI(statusPage, ["watch", kind, "-n", namespace]), "yes", `watch ${kind}`);
    for (const verb of ["get", "create", "update", "patch", "delete"]) {
      assert.is(await canI(statusPage, [verb, kind, "-n", namespace]), "no", `${verb} ${kind}`);
    }
  }
  // A control kind it does not publish, Secrets and people's tokens stay out of its reach.
  assert.is(await canI(statusPage, ["list", `edgedegradations.${controlGroup}`, "-A"]), "no");
  assert.is(await canI(statusPage, ["list", "secrets", "-n", namespace]), "no");
  assert.is(await canI(statusPage, ["create", "tokenreviews.authentication.k8s.io"]), "no");
});

test("applied, the operator's EdgeDegradation target is the rendered edge's Service, selecting its pods", async () => {
  const [name, target] = Object.entries(loadTargets(defaultTargetsPath).services).find(
    ([, entry]) => entry.enforces.includes("EdgeDegradation"),
  )!;
  const url = new URL(target.adminUrl);
  const [serviceName, namespace, ...rest] = url.hostname.split(".");
  assert.equal(rest, ["svc", "cluster", "local"]);
  assert.is(serviceName, name);
  await applyProdServices(new RegExp(`/(service|deployment)-${namespace}-${serviceName}\\.yaml$`));
  const read = async (kind: string) => {
    const got = await kube.kubectl(["get", kind, serviceName!, "-n", namespace!, "-o", "json"]);
    assert.is(got.code, 0, got.stderr);
    return JSON.parse(got.stdout);
  };
  const service = await read("service");
  assert.ok(
    service.spec.ports.some((port: { port: number }) => String(port.port) === (url.port || "80")),
    `the Service listens on ${url.port}`,
  );
  const pods = (await read("deployment")).spec.template.metadata.labels;
  assert.ok(Object.keys(service.spec.selector).length > 0);
  for (const [key, value] of Object.entries(service.spec.selector)) {
    assert.is(pods[key], value, `the Service selects the edge's pods by ${key}`);
  }
  const args = (await read("deployment")).spec.template.spec.containers[0].args;
  assert.equal(args.slice(-1), [name], "the Deployment runs the edge");
});

test("the API server refuses an object that breaks its CRD schema, so the checks above can fail", async () => {
  const topic = [
    "apiVersion: cluster.redpanda.com/v1alpha2",
    "kind: Topic",
    "metadata: { name: broken, namespace: data-plane }",
    "spec: { partitions: many }",
  ].join("\n");
  const result = await dryRun(["-f", "-"], topic);
  assert.is.not(result.code, 0);
  assert.match(result.stderr, "partitions");
});

test.run();
