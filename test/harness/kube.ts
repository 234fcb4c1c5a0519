/**
 * @module A real Kubernetes API for tests: etcd 3.5 and kube-apiserver v1.32.13 built from
 * the Go module proxy, served on loopback with token users, RBAC and ValidatingAdmissionPolicy.
 *
 * There is NO kube-controller-manager and no scheduler or kubelet. So, unlike a real cluster:
 * - a deleted namespace stays Terminating forever (the namespace controller empties it);
 * - ownerReference garbage collection never happens (dependents outlive their owners);
 * - Deployments, Jobs and StatefulSets create no Pods, and no Pod ever runs;
 * - namespaces get no `default` ServiceAccount, so the ServiceAccount admission plugin is off
 *   (with it, every Pod create would fail on the missing account).
 * Everything served by the apiserver itself does work: CRDs (create, delete, status and scale
 * subresources), RBAC, admission policies, watches, server-side apply, dry runs, and
 * finalizers (an object with one waits for whoever removes it, like in a real cluster).
 */
import { spawn } from "node:child_process";
import { createHash, generateKeyPair, randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { cachePath, isStamped, stamp } from "./cache";
import {
  freePort,
  keepTempDir,
  logTail,
  type ManagedProcess,
  makeTempDir,
  startProcess,
  waitUntil,
} from "./process";

/** The Kubernetes release served; `kubectl version` reports it as the server version. */
export const kubeVersion = "v1.32.13";

/** The identities in the token file. */
export type KubeUser = "admin" | "alice" | "bob" | "carol" | "operator";

export interface KubeIdentity {
  /** The username the apiserver authenticates the token as (what RBAC subjects name). */
  readonly username: string;
  readonly groups: readonly string[];
}

/**
 * Who each token user is. `operator` authenticates exactly like the token of the
 * ServiceAccount breakwater-system/breakwater-operator, so RoleBindings to that account
 * apply to it.
 */
export const kubeIdentities: Readonly<Record<KubeUser, KubeIdentity>> = {
  admin: { username: "admin", groups: ["system:masters", "system:authenticated"] },
  alice: { username: "alice", groups: ["breakwater:oncall", "system:authenticated"] },
  bob: { username: "bob", groups: ["breakwater:oncall", "system:authenticated"] },
  carol: { username: "carol", groups: ["breakwater:oncall", "system:authenticated"] },
  operator: {
    username: "system:serviceaccount:breakwater-system:breakwater-operator",
    groups: [
      "system:serviceaccounts",
      "system:serviceaccounts:breakwater-system",
      "system:authenticated",
    ],
  },
};

export const kubeUsers = Object.keys(kubeIdentities) as readonly KubeUser[];

export interface KubectlOptions {
  /** Whose kubeconfig to use. @default "admin" */
  readonly user?: KubeUser;
  /** Written to kubectl's standard input (for `-f -`). */
  readonly input?: string;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubeCluster {
  /** The apiserver's https URL, e.g. `https://127.0.0.1:41234`. */
  readonly server: string;
  /** The CA that signed the serving certificate (what kubeconfigs trust). */
  readonly caPath: string;
  /** A kubeconfig file for `admin` (system:masters). */
  readonly kubeconfigPath: string;
  /** A kubeconfig file that authenticates as `user`. */
  kubeconfigFor(user: KubeUser): string;
  /** Bearer tokens, new random ones on every start. */
  readonly tokens: Readonly<Record<KubeUser, string>>;
  /** Run the machine's `kubectl` as `user` (default admin); never throws on a non-zero exit. */
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<KubectlResult>;
  /** etcd and kube-apiserver; each pid is also its process group id. */
  readonly processes: readonly { readonly name: string; readonly pid: number }[];
  /** The temporary directory holding etcd's data, certificates, tokens and kubeconfigs. */
  readonly dir: string;
  /** Stop kube-apiserver then etcd, and remove `dir`. */
  stop(): Promise<void>;
}

export interface StartKubeOptions {
  /**
   * Keep etcd and kube-apiserver (and `dir`) after this Node process exits, for
   * `npm run env:up`; stop them later with {@link stopKubeProcesses}. @default false
   */
  readonly detached?: boolean;
}

// ---------------------------------------------------------------------------------------
// Building the binaries

const goModulesDir = resolve(import.meta.dirname, "go");
const kubeMinorVersion = kubeVersion.split(".")[1] ?? "";

/**
 * What the harness builds from the Go module proxy: the Kubernetes API, the CI linter and the
 * trace receiver (`jaeger.ts`).
 */
type GoBinaryName = "etcd" | "kube-apiserver" | "actionlint" | "jaeger";

interface GoBinary {
  readonly name: GoBinaryName;
  /** The module folder under test/harness/go/. */
  readonly module: string;
  /** The package to build, relative to the module. */
  readonly target: string;
  readonly ldflags: readonly string[];
}

/**
 * kube-apiserver prints and serves the version that the Kubernetes build scripts stamp in
 * with -X (hack/lib/version.sh sets the same variables in both packages); unstamped it
 * would say v0.0.0-master, and kubectl's version-skew check and clients that gate on
 * the server version would misread it. The build date is the release's publication time
 * on the module proxy, not the time of the build, so the same inputs give the same binary. The module proxy does not carry
 * the git commit, so gitCommit is left empty rather than made up; go.sum pins the source.
 */
function kubeVersionLdflags(): string[] {
  const values: Record<string, string> = {
    gitVersion: kubeVersion,
    gitMajor: "1",
    gitMinor: kubeMinorVersion,
    gitCommit: "",
    gitTreeState: "clean",
    buildDate: "2026-02-27T00:14:55Z",
  };
  return ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"].flatMap((pkg) =>
    Object.entries(values).map(([key, value]) => `-X ${pkg}.${key}=${value}`),
  );
}

const goBinaries: readonly GoBinary[] = [
  { name: "etcd", module: "etcd", target: ".", ldflags: [] },
  {
    name: "kube-apiserver",
    module: "kube-apiserver",
    target: "k8s.io/kubernetes/cmd/kube-apiserver",
    ldflags: kubeVersionLdflags(),
  },
  // Lints .github/workflows/ (test/ci/workflows.test.ts).
  {
    name: "actionlint",
    module: "actionlint",
    target: "github.com/rhysd/actionlint/cmd/actionlint",
    ldflags: [],
  },
  // The OTLP receiver and trace store of the tracing tests (jaeger.ts).
  {
    name: "jaeger",
    module: "jaeger",
    target: "github.com/jaegertracing/jaeger/cmd/jaeger",
    ldflags: [],
  },
];

/** Where the built binaries live: `<cache>/bin/<name>`. */
export function kubeBinaryPath(name: GoBinaryName): string {
  return cachePath("bin", name);
}

function goBuildArgs(binary: GoBinary, output: string): string[] {
  const ldflags = ["-s", "-w", ...binary.ldflags].join(" ");
  return [
    "build",
    "-trimpath",
    "-buildvcs=false",
    "-ldflags",
    ldflags,
    "-o",
    output,
    binary.target,
  ];
}

/** A hash of everything that decides the binary: the module's files and the build flags. */
function buildKey(binary: GoBinary): string {
  const hash = createHash("sha256");
  const moduleDir = join(goModulesDir, binary.module);
  for (const file of ["go.mod", "go.sum", "main.go", "tools.go"]) {
    const path = join(moduleDir, file);
    if (existsSync(path)) hash.update(`${file}\0`).update(readFileSync(path)).update("\0");
  }
  hash.update(goBuildArgs(binary, "OUTPUT").join("\0"));
  return hash.digest("hex");
}

/**
 * Build `etcd` and `kube-apiserver` from the modules in test/harness/go/ into
 * `<cache>/bin/`, unless a stamp says they were already built from the same go.mod, go.sum
 * and flags (then this takes milliseconds and needs no Go). An uncached kube-apiserver build
 * takes minutes. Throws one line when `go` is missing.
 */
export async function ensureKubeBinaries(log: (line: string) => void = () => {}): Promise<void> {
  for (const binary of goBinaries) {
    const key = buildKey(binary);
    const output = kubeBinaryPath(binary.name);
    if (existsSync(output) && isStamped(`go-${binary.name}`, key)) {
      log(`${binary.name}: cached at ${output}`);
      continue;
    }
    const startedMs = Date.now();
    log(
      `${binary.name}: building from the Go module proxy (minutes when Go's build cache is cold)`,
    );
    await goBuild(binary, output);
    stamp(`go-${binary.name}`, key);
    log(`${binary.name}: built in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
  }
}

async function goBuild(binary: GoBinary, output: string): Promise<void> {
  // Build beside the target and rename, so a concurrent run never sees half a binary.
  const partial = `${output}.${process.pid}.partial`;
  const result = await run("go", goBuildArgs(binary, partial), {
    cwd: join(goModulesDir, binary.module),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") {
      throw new Error(
        "go: not found on PATH; install Go 1.23 or newer from https://go.dev/dl/ to build etcd and kube-apiserver",
      );
    }
    throw error;
  });
  if (result.code !== 0) {
    rmSync(partial, { force: true });
    const tail = result.stderr.trim().split("\n").slice(-20).join("\n");
    throw new Error(`go build of ${binary.name} failed (exit ${result.code}):\n${tail}`);
  }
  renameSync(partial, output);
}

// ---------------------------------------------------------------------------------------
// Small process and HTTP helpers

interface RunOptions {
  readonly cwd?: string;
  readonly input?: string;
}

/** Run a command to completion; rejects only when it cannot be started. */
function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<KubectlResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.once("error", reject);
    child.once("close", (code) =>
      resolvePromise({
        code: code ?? 1,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      }),
    );
    child.stdin.on("error", () => {}); // kubectl may exit before reading all input
    child.stdin.end(options.input ?? "");
  });
}

async function runChecked(command: string, args: readonly string[], cwd: string): Promise<void> {
  const result = await run(command, args, { cwd });
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (exit ${result.code}): ${result.stderr.trim()}`,
    );
  }
}

/** GET `path` from the apiserver as a bearer token holder; resolves the status and body. */
function apiGet(
  server: string,
  path: string,
  token: string,
  ca: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      new URL(path, server),
      { ca, headers: { authorization: `Bearer ${token}` }, timeout: 5000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolvePromise({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}

// ---------------------------------------------------------------------------------------
// Credentials

/** A CA and a serving certificate for 127.0.0.1 and localhost, made with openssl. */
async function writeServingCertificates(dir: string): Promise<void> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await runChecked(
    "openssl",
    [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "3650",
      "-subj",
      "/CN=breakwater-test-ca",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    dir,
  );
  await runChecked(
    "openssl",
    [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "server.key",
      "-out",
      "server.crt",
      "-days",
      "3650",
      "-subj",
      "/CN=kube-apiserver",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc",
      "-addext",
      "extendedKeyUsage=serverAuth",
    ],
    dir,
  );
}

/** The RSA key that signs (and verifies) ServiceAccount tokens. */
async function writeServiceAccountKey(dir: string): Promise<void> {
  const { privateKey, publicKey } = await new Promise<{ privateKey: string; publicKey: string }>(
    (resolvePromise, reject) =>
      generateKeyPair(
        "rsa",
        {
          modulusLength: 2048,
          privateKeyEncoding: { type: "pkcs1", format: "pem" },
          publicKeyEncoding: { type: "spki", format: "pem" },
        },
        (error, publicPem, privatePem) =>
          error ? reject(error) : resolvePromise({ privateKey: privatePem, publicKey: publicPem }),
      ),
  );
  writeFileSync(join(dir, "sa.key"), privateKey, { mode: 0o600 });
  writeFileSync(join(dir, "sa.pub"), publicKey);
}

function newTokens(): Record<KubeUser, string> {
  return Object.fromEntries(
    kubeUsers.map((user) => [user, randomBytes(24).toString("hex")]),
  ) as Record<KubeUser, string>;
}

/** The static token file: `token,user,uid,"group1,group2"` per line. */
function writeTokenFile(path: string, tokens: Record<KubeUser, string>): void {
  const lines = kubeUsers.map((user) => {
    const { username, groups } = kubeIdentities[user];
    return `${tokens[user]},${username},${user},"${groups.join(",")}"`;
  });
  writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o600 });
}

function writeKubeconfig(
  path: string,
  server: string,
  caPath: string,
  user: KubeUser,
  token: string,
): void {
  const context = `breakwater-${user}`;
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "breakwater", cluster: { server, "certificate-authority": caPath } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: context, context: { cluster: "breakwater", user, namespace: "default" } }],
    "current-context": context,
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}

// ---------------------------------------------------------------------------------------
// Starting the servers

/**
 * Headroom over etcd's default request limit (1.5 MiB): the Redpanda CRD is ~1.2 MB as JSON
 * and a newer upstream copy is larger. The apiserver's own etcd client still caps one
 * write at 2 MiB (gRPC's default send size, not a flag), so that is the real ceiling.
 */
const etcdMaxRequestBytes = 8 * 1024 * 1024;

async function startEtcd(
  dir: string,
  detached: boolean,
): Promise<{ process: ManagedProcess; url: string }> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const url = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = startProcess({
    name: "etcd",
    command: kubeBinaryPath("etcd"),
    args: [
      "--name=breakwater",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=breakwater=${peerUrl}`,
      `--max-request-bytes=${etcdMaxRequestBytes}`,
      // Test data is thrown away with the temp dir; fsync only slows every write.
      "--unsafe-no-fsync",
      "--log-level=warn",
    ],
    logPath: join(dir, "etcd.log"),
    detached,
  });
  await waitUntil(
    "etcd answers /health",
    async () => {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      return response.ok && ((await response.json()) as { health?: string }).health === "true";
    },
    { process: etcd, timeoutMs: 30_000 },
  );
  return { process: etcd, url };
}

function apiserverArgs(dir: string, etcdUrl: string, port: number): string[] {
  return [
    `--etcd-servers=${etcdUrl}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    "--advertise-address=127.0.0.1",
    `--cert-dir=${join(dir, "apiserver-certs")}`,
    `--tls-cert-file=${join(dir, "server.crt")}`,
    `--tls-private-key-file=${join(dir, "server.key")}`,
    `--client-ca-file=${join(dir, "ca.crt")}`,
    `--token-auth-file=${join(dir, "tokens.csv")}`,
    "--authorization-mode=Node,RBAC",
    // On by default in 1.32; named so that a reader (and a future default change) can see it.
    "--enable-admission-plugins=NamespaceLifecycle,NodeRestriction,MutatingAdmissionWebhook,ValidatingAdmissionPolicy,ValidatingAdmissionWebhook",
    // Needs the `default` ServiceAccount that only the controller-manager creates.
    "--disable-admission-plugins=ServiceAccount",
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${join(dir, "sa.pub")}`,
    `--service-account-signing-key-file=${join(dir, "sa.key")}`,
    "--service-cluster-ip-range=10.96.0.0/16",
    // So that manifests with privileged containers validate as they would in a real cluster.
    "--allow-privileged=true",
    "--profiling=false",
  ];
}

/**
 * Ready means usable by a test, not only alive: /readyz is ok (all post-start hooks ran),
 * the `default` namespace exists and the RBAC bootstrap roles are there.
 */
async function waitForApiserver(
  server: string,
  token: string,
  ca: string,
  apiserver: ManagedProcess,
): Promise<void> {
  await waitUntil(
    "kube-apiserver ready",
    async () => {
      const readyz = await apiGet(server, "/readyz", token, ca);
      if (readyz.status !== 200 || readyz.body !== "ok")
        throw new Error(`/readyz ${readyz.status}`);
      for (const path of [
        "/api/v1/namespaces/default",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-admin",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles/view",
      ]) {
        const response = await apiGet(server, path, token, ca);
        if (response.status !== 200) throw new Error(`${path} ${response.status}`);
      }
      return true;
    },
    { process: apiserver, timeoutMs: 90_000, intervalMs: 200 },
  );
}

async function startApiserver(
  dir: string,
  etcdUrl: string,
  adminToken: string,
  detached: boolean,
): Promise<{ process: ManagedProcess; server: string }> {
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const apiserver = startProcess({
    name: "kube-apiserver",
    command: kubeBinaryPath("kube-apiserver"),
    args: apiserverArgs(dir, etcdUrl, port),
    logPath: join(dir, "kube-apiserver.log"),
    detached,
  });
  await waitForApiserver(server, adminToken, readFileSync(join(dir, "ca.crt"), "utf8"), apiserver);
  return { process: apiserver, server };
}

/** Whether a start failed only because a port picked as free was taken meanwhile. */
async function lostPortRace(error: unknown, dir: string): Promise<boolean> {
  if (!/exited/.test(String(error))) return false;
  const logs =
    (await logTail(join(dir, "etcd.log"), 50)) +
    (await logTail(join(dir, "kube-apiserver.log"), 50));
  return /address already in use/.test(logs);
}

/**
 * Start etcd and kube-apiserver in a fresh temp dir (about 5 s once built; builds them
 * first if the cache is cold). Every call is a new, empty cluster with new tokens.
 *
 * @example
 * // upstreamCrdPath: platform/crds/upstream-crds.ts, the vendored third-party CRDs
 * const kube = await startKube();
 * await applyCrds(kube, [upstreamCrdPath("postgresql.cnpg.io_scheduledbackups.yaml")]);
 * const { stdout } = await kube.kubectl(["get", "namespaces", "-o", "name"], { user: "alice" });
 * await kube.stop();
 */
export async function startKube(options: StartKubeOptions = {}): Promise<KubeCluster> {
  await ensureKubeBinaries((line) => {
    if (!line.includes("cached")) console.error(line);
  });
  for (let attempt = 1; ; attempt += 1) {
    const dir = makeTempDir("kube");
    try {
      return await startKubeIn(dir, options.detached ?? false);
    } catch (error) {
      if (attempt >= 3 || !(await lostPortRace(error, dir))) throw error;
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function startKubeIn(dir: string, detached: boolean): Promise<KubeCluster> {
  if (detached) keepTempDir(dir);
  await Promise.all([writeServingCertificates(dir), writeServiceAccountKey(dir)]);
  const tokens = newTokens();
  writeTokenFile(join(dir, "tokens.csv"), tokens);
  const started: ManagedProcess[] = [];
  try {
    const etcd = await startEtcd(dir, detached);
    started.push(etcd.process);
    const apiserver = await startApiserver(dir, etcd.url, tokens.admin, detached);
    started.unshift(apiserver.process);
    return clusterHandle(dir, apiserver.server, tokens, started);
  } catch (error) {
    for (const managed of started) await managed.stop(2000);
    if (detached) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function clusterHandle(
  dir: string,
  server: string,
  tokens: Record<KubeUser, string>,
  processes: ManagedProcess[],
): KubeCluster {
  const caPath = join(dir, "ca.crt");
  const kubeconfigs = Object.fromEntries(
    kubeUsers.map((user) => {
      const path = join(dir, `kubeconfig-${user}.yaml`);
      writeKubeconfig(path, server, caPath, user, tokens[user]);
      return [user, path];
    }),
  ) as Record<KubeUser, string>;
  let stopped = false;
  return {
    server,
    caPath,
    kubeconfigPath: kubeconfigs.admin,
    kubeconfigFor: (user) => kubeconfigs[user],
    tokens,
    processes: processes.map((managed) => ({ name: managed.name, pid: managed.child.pid ?? 0 })),
    dir,
    kubectl(args, options = {}) {
      const kubeconfig = kubeconfigs[options.user ?? "admin"];
      // A discovery cache per cluster: ports are reused across runs, schemas are not.
      const flags = [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(dir, "kubectl-cache")}`];
      return run("kubectl", [...flags, ...args], { input: options.input });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // The apiserver first, so it does not spend its shutdown retrying a dead etcd.
      for (const managed of processes) await managed.stop(5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Whether `pid` is a live process. A zombie counts as gone: an orphaned server is reaped by
 * whatever runs as pid 1, which in a container may never do it.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // The state is the first field after the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/**
 * Stop a cluster started with `detached: true` by an earlier process (`npm run env:down`):
 * SIGTERM to each process group in order, SIGKILL after `graceMs`, then remove `dir`.
 */
export async function stopKubeProcesses(
  cluster: Pick<KubeCluster, "processes" | "dir">,
  graceMs = 5000,
): Promise<void> {
  for (const { pid } of cluster.processes) {
    if (pid <= 0 || !isProcessAlive(pid)) continue;
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // Already gone.
    }
    const deadline = Date.now() + graceMs;
    while (isProcessAlive(pid) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Exited within the grace period.
    }
  }
  rmSync(cluster.dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------
// CRDs

/**
 * Install CustomResourceDefinition files with server-side apply and wait until each one is
 * Established and its watch cache is warm. Server-side because several upstream CRDs are
 * larger than the 256 KiB that client-side apply's last-applied annotation allows. The
 * second wait is there because for a moment after Established, a watch of the new kind is
 * answered 429 (storage initializing); informers retry, but a test's first watch would
 * fail. Throws with kubectl's message when a file does not apply.
 */
export async function applyCrds(cluster: KubeCluster, files: readonly string[]): Promise<void> {
  if (files.length === 0) return;
  const fileArgs = files.flatMap((file) => ["-f", file]);
  const applied = await cluster.kubectl([
    "apply",
    "--server-side",
    "--field-manager=breakwater-harness",
    "-o",
    "name",
    ...fileArgs,
  ]);
  if (applied.code !== 0) throw new Error(`kubectl apply of CRDs failed: ${applied.stderr.trim()}`);
  const names = applied.stdout
    .split("\n")
    .filter((line) => line.startsWith("customresourcedefinition"));
  const ca = readFileSync(cluster.caPath, "utf8");
  // Polled rather than `kubectl wait`, which errors out while a new CRD has no conditions yet.
  await waitUntil(
    `CRDs Established and watchable (${names.length})`,
    async () => {
      const crds = await getCrds(cluster, names);
      const pending = crds.filter((crd) => !isEstablished(crd)).map((crd) => crd.metadata.name);
      if (pending.length > 0) throw new Error(`not yet Established: ${pending.join(", ")}`);
      const paths = crds.flatMap(watchPaths);
      const statuses = await Promise.all(
        paths.map((path) => apiStatus(cluster.server, path, cluster.tokens.admin, ca)),
      );
      const cold = paths.filter((_, index) => statuses[index] !== 200);
      if (cold.length > 0) throw new Error(`watch not served yet: ${cold.join(", ")}`);
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

interface CustomResourceDefinitionState {
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly group: string;
    readonly names: { readonly plural: string };
    readonly versions: readonly { readonly name: string; readonly served: boolean }[];
  };
  readonly status?: { readonly conditions?: readonly { type: string; status: string }[] };
}

async function getCrds(
  cluster: KubeCluster,
  names: readonly string[],
): Promise<CustomResourceDefinitionState[]> {
  const listed = await cluster.kubectl(["get", ...names, "-o", "json"]);
  if (listed.code !== 0) throw new Error(listed.stderr.trim());
  // One name gives the object itself, several give a List.
  const parsed = JSON.parse(listed.stdout) as { items?: CustomResourceDefinitionState[] };
  return parsed.items ?? [parsed as CustomResourceDefinitionState];
}

function isEstablished(crd: CustomResourceDefinitionState): boolean {
  return (crd.status?.conditions ?? []).some(
    (c) => c.type === "Established" && c.status === "True",
  );
}

/** A cluster-wide watch URL per served version (each version has its own storage). */
function watchPaths(crd: CustomResourceDefinitionState): string[] {
  return crd.spec.versions
    .filter((version) => version.served)
    .map(
      (version) =>
        `/apis/${crd.spec.group}/${version.name}/${crd.spec.names.plural}?watch=true&timeoutSeconds=1`,
    );
}

/** The status line of a GET (a watch's headers), without waiting for the body. */
function apiStatus(server: string, path: string, token: string, ca: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      new URL(path, server),
      { ca, headers: { authorization: `Bearer ${token}` }, timeout: 5000 },
      (response) => {
        resolvePromise(response.statusCode ?? 0);
        req.destroy();
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on("error", reject);
    req.end();
  });
}
