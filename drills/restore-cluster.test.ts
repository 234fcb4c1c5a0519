/**
 * @module The weekly restore rehearsal against a real kube-apiserver with CloudNativePG's
 * Cluster CRD: it creates the rendered rehearsal copy (recovery bootstrap, no WAL archiving),
 * and deletes it again whatever happens. No CloudNativePG operator runs here, so the copy never
 * becomes ready: the drill must fail naming that step, and still leave nothing behind.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { rehearsalCluster } from "../charts/recovery";
import { loadEnvironment } from "../environments";
import { upstreamCrdPath } from "../platform/crds/upstream-crds";
import { applyCrds, type KubeCluster, startKube } from "../test/harness/kube";

const run = promisify(execFile);
const environment = loadEnvironment("staging");
const namespace = environment.namespaces.data.name;
let kube: KubeCluster;
let manifest: string;

interface Seen {
  readonly type: string;
  readonly object: { metadata: { name: string }; spec: Record<string, any> };
}

test.before(async () => {
  kube = await startKube();
  await applyCrds(kube, [upstreamCrdPath("postgresql.cnpg.io_clusters.yaml")]);
  await kube.kubectl(["create", "namespace", namespace]);
  manifest = join(mkdtempSync(join(tmpdir(), "breakwater-rehearsal-")), "cluster.json");
  writeFileSync(manifest, JSON.stringify(rehearsalCluster(environment, "payments-db")));
});

test.after(async () => {
  await kube?.stop();
});

/** Run the drill as the CronJob does, recording what happens to Clusters meanwhile. */
async function rehearse(args: string[]) {
  const config = new k8s.KubeConfig();
  config.loadFromFile(kube.kubeconfigFor("admin"));
  const seen: Seen[] = [];
  const watching = await new k8s.Watch(config).watch(
    `/apis/postgresql.cnpg.io/v1/namespaces/${namespace}/clusters`,
    {},
    (type, object) => seen.push({ type, object }),
    () => {},
  );
  const main = join(import.meta.dirname, "main.ts");
  const result = await run(
    process.execPath,
    ["--import", "tsx", main, "restore-cluster", ...args],
    {
      env: { ...process.env, KUBECONFIG: kube.kubeconfigFor("admin") },
    },
  ).then(
    (done) => ({ code: 0, ...done }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  // The DELETED event may trail the process's exit.
  const deadline = Date.now() + 30_000;
  while (!seen.some((event) => event.type === "DELETED") && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  watching.abort();
  return { ...result, seen };
}

test("creates the rehearsal copy, fails naming the step it cannot pass, and deletes the copy", async () => {
  const result = await rehearse(["--manifest", manifest, "--wait-seconds", "3"]);
  assert.is(result.code, 1, result.stdout);
  assert.match(
    result.stderr,
    /^drill restore-cluster failed at step "wait until the recovered cluster is ready": .*not ready after 3 s \(phase: not reported\)/,
  );
  assert.match(
    result.stdout,
    /ok {4}create the rehearsal cluster +data-plane\/payments-db-rehearsal/,
  );
  assert.match(result.stdout, /ok {4}delete the rehearsal cluster/);
  assert.equal(
    result.seen.map((event) => event.type),
    ["ADDED", "DELETED"],
  );
  const created = result.seen[0]!.object;
  assert.is(created.metadata.name, "payments-db-rehearsal");
  assert.is(created.spec.bootstrap.recovery.source, "origin");
  assert.is(created.spec.bootstrap.recovery.recoveryTarget, undefined, "recovers all archived WAL");
  assert.is(created.spec.plugins, undefined, "a rehearsal copy must not archive WAL");
  assert.equal(created.spec.externalClusters[0].plugin.parameters, {
    barmanObjectName: "payments-db-backups",
    serverName: "payments-db",
  });
  const left = await kube.kubectl([
    "-n",
    namespace,
    "get",
    "clusters.postgresql.cnpg.io",
    "-o",
    "name",
  ]);
  assert.is(left.stdout.trim(), "");
});

test("--to sets the recovery target of the copy", async () => {
  const result = await rehearse([
    "--manifest",
    manifest,
    "--to",
    "2026-11-29T09:00:00Z",
    "--wait-seconds",
    "1",
  ]);
  assert.is(result.code, 1);
  assert.equal(result.seen[0]!.object.spec.bootstrap.recovery.recoveryTarget, {
    targetTime: "2026-11-29T09:00:00Z",
  });
});

test("a manifest that is no recovery Cluster is refused before anything is created", async () => {
  const other = join(mkdtempSync(join(tmpdir(), "breakwater-rehearsal-")), "other.json");
  writeFileSync(other, JSON.stringify({ kind: "ConfigMap", metadata: { name: "x" }, spec: {} }));
  const result = await rehearse(["--manifest", other, "--wait-seconds", "1"]);
  assert.is(result.code, 1);
  assert.match(
    result.stderr,
    /failed at step "read the rehearsal cluster": .*is not a CloudNativePG Cluster bootstrapped by recovery/,
  );
  assert.equal(result.seen, []);
});

test.run();
