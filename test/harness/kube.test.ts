/**
 * @module Tests of the Kubernetes harness itself: the build cache, and that stopping a
 * cluster (in this process, or a detached one from another) leaves nothing behind.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  ensureKubeBinaries,
  isProcessAlive,
  kubeBinaryPath,
  startKube,
  stopKubeProcesses,
} from "./kube";
import { makeTempDir } from "./process";

const nodeBin = resolve(import.meta.dirname, "../../node_modules/.bin/node");
const kubeModule = resolve(import.meta.dirname, "kube.ts");

/** Run `body` with environment variables changed, restoring them afterwards. */
async function withEnv<T>(changes: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(changes).map((key) => [key, process.env[key]]));
  Object.assign(process.env, changes);
  try {
    return await body();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

test("a cached build is reused without Go on the PATH", async () => {
  await ensureKubeBinaries();
  const lines: string[] = [];
  await withEnv({ PATH: "/nonexistent" }, () => ensureKubeBinaries((line) => lines.push(line)));
  assert.equal(lines.sort(), [
    `actionlint: cached at ${kubeBinaryPath("actionlint")}`,
    `etcd: cached at ${kubeBinaryPath("etcd")}`,
    `jaeger: cached at ${kubeBinaryPath("jaeger")}`,
    `kube-apiserver: cached at ${kubeBinaryPath("kube-apiserver")}`,
  ]);
});

test("with an empty cache and no Go, the build fails in one line naming go", async () => {
  const cache = makeTempDir("kube-cache");
  const error = await withEnv({ PATH: "/nonexistent", BREAKWATER_CACHE: cache }, () =>
    ensureKubeBinaries().then(
      () => undefined,
      (failure: unknown) => failure,
    ),
  );
  assert.instance(error, Error);
  assert.match(String(error), /^Error: go: not found on PATH; install Go/);
  assert.not.match(String(error), /\n/);
});

test("stop() ends etcd and kube-apiserver and removes the directory", async () => {
  const kube = await startKube();
  assert.is((await kube.kubectl(["get", "--raw", "/readyz"])).stdout, "ok");
  await kube.stop();
  for (const { pid } of kube.processes)
    assert.not.ok(isProcessAlive(pid), `pid ${pid} still alive`);
  assert.not.ok(existsSync(kube.dir));
});

test("a detached cluster outlives the process that started it until stopKubeProcesses", async () => {
  const script = `
    import { startKube } from ${JSON.stringify(kubeModule)};
    const kube = await startKube({ detached: true });
    console.log(JSON.stringify({ processes: kube.processes, dir: kube.dir, kubeconfig: kube.kubeconfigPath }));
  `;
  // Exits on its own: a detached cluster must not hold the starter's event loop.
  const child = spawnSync(nodeBin, ["--import", "tsx", "--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.is(child.status, 0, child.stderr);
  const started = JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}");
  try {
    const readyz = spawnSync(
      "kubectl",
      [`--kubeconfig=${started.kubeconfig}`, "get", "--raw", "/readyz"],
      {
        encoding: "utf8",
      },
    );
    assert.is(readyz.stdout, "ok", readyz.stderr);
  } finally {
    await stopKubeProcesses(started);
  }
  for (const { pid } of started.processes)
    assert.not.ok(isProcessAlive(pid), `pid ${pid} still alive`);
  assert.not.ok(existsSync(started.dir));
});

test.run();
