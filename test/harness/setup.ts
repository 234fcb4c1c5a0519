/**
 * @module `npm run setup` (and the first thing `npm test` does): make the machine able to
 * start every real server of the harness. Installs missing Debian packages (as root),
 * creates the `postgres` OS user and a copy of the PostgreSQL binaries it can run, fetches the Kafka jars, builds etcd, kube-apiserver and Jaeger
 * into the cache, and installs barman-cloud and an S3-compatible server (`python-tools.ts`). Idempotent: with everything in place it only checks, in a few seconds.
 *
 * `--quiet` prints only problems and one summary line. Every failure is one line naming
 * the missing tool and how to get it.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { cacheDir } from "./cache";
import { ensureKafkaJars, KAFKA_VERSION } from "./kafka";
import { POSTGRES_OS_USER } from "./postgres";
import { installSharedPostgres } from "./postgres-binaries";
import { BARMAN_VERSION, ensurePythonTools } from "./python-tools";

const exec = promisify(execFile);

/** The Debian packages the harness runs, and the command each one must provide. */
const debianPackages: readonly { readonly name: string; readonly command: string }[] = [
  { name: "redis-server", command: "redis-server" },
  { name: "redis-tools", command: "redis-cli" },
  { name: "prometheus", command: "prometheus" },
  { name: "prometheus-alertmanager", command: "prometheus-alertmanager" },
  // Argo CD runs health checks in Lua; the platform tests run ours in a real interpreter.
  { name: "lua5.4", command: "lua5.4" },
  { name: "openjdk-17-jre-headless", command: "java" },
  { name: "maven", command: "mvn" },
  // The status page is checked in a real headless browser.
  { name: "chromium", command: "chromium" },
];

/** Tools the harness needs that setup does not install itself, and how to get them. */
const otherTools: readonly { readonly command: string; readonly howToGet: string }[] = [
  {
    command: "kubectl",
    howToGet: "install kubectl 1.27 or newer from https://kubernetes.io/docs/tasks/tools/",
  },
  { command: "setpriv", howToGet: "apt-get install -y util-linux" },
];

const quiet = process.argv.includes("--quiet");
const isRoot = process.getuid?.() === 0;

class SetupProblem extends Error {}

function say(line: string): void {
  if (!quiet) console.log(line);
}

async function onPath(command: string): Promise<boolean> {
  try {
    await exec("sh", ["-c", `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

async function installedPackages(names: readonly string[]): Promise<Set<string>> {
  // dpkg-query exits non-zero when any name is unknown, but still prints the known ones.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax.
  const format = "-f=${Package} ${Status}\\n";
  const result = await exec("dpkg-query", ["-W", format, ...names]).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }),
  );
  const installed = result.stdout
    .split("\n")
    .filter((line) => line.endsWith(" install ok installed"))
    .map((line) => line.split(" ")[0]!);
  return new Set(installed);
}

/** Run a command with its output shown (unless quiet); throws with its tail on failure. */
function runShown(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (!quiet) process.stdout.write(chunk);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else {
        const tail = output.trimEnd().split("\n").slice(-10).join("\n");
        reject(
          new SetupProblem(`\`${command} ${args.join(" ")}\` failed (exit ${code}):\n${tail}`),
        );
      }
    });
  });
}

async function ensureDebianPackages(): Promise<string> {
  const installed = await installedPackages(debianPackages.map((entry) => entry.name));
  const missing: string[] = [];
  for (const entry of debianPackages) {
    // A tool already on PATH from elsewhere (e.g. a JDK not from Debian) is good enough.
    if (!installed.has(entry.name) && !(await onPath(entry.command))) missing.push(entry.name);
  }
  if (missing.length === 0) return "all installed";
  const install = `apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  if (!isRoot) {
    throw new SetupProblem(
      `missing Debian packages ${missing.join(", ")}: run \`sudo apt-get update && sudo ${install}\``,
    );
  }
  say(`installing ${missing.join(" ")}`);
  await runShown("apt-get", ["update"]);
  await runShown("apt-get", install.split(" ").slice(1));
  await stopPackagedServices();
  return `installed ${missing.join(" ")}`;
}

/**
 * Debian's packages start their own redis-server, prometheus and alertmanager on fixed
 * ports where an init system is present; the harness starts its own, so stop those.
 */
async function stopPackagedServices(): Promise<void> {
  for (const service of ["redis-server", "prometheus", "prometheus-alertmanager"]) {
    if (existsSync(join("/etc/init.d", service))) {
      await exec("service", [service, "stop"]).catch(() => {});
    }
  }
}

async function checkOtherTools(): Promise<string> {
  for (const tool of otherTools) {
    if (!(await onPath(tool.command))) {
      throw new SetupProblem(`\`${tool.command}\` not found: ${tool.howToGet}`);
    }
  }
  return otherTools.map((tool) => tool.command).join(", ");
}

async function ensurePostgresUser(): Promise<string> {
  if (!isRoot) return "not root: PostgreSQL runs as the current user";
  const exists = await exec("id", [POSTGRES_OS_USER]).then(
    () => true,
    () => false,
  );
  if (exists) return `OS user ${POSTGRES_OS_USER} exists`;
  await exec("useradd", [
    "--system",
    "--user-group",
    "--no-create-home",
    "--shell",
    "/usr/sbin/nologin",
    POSTGRES_OS_USER,
  ]).catch((error: { stderr?: string }) => {
    throw new SetupProblem(
      `could not create the OS user ${POSTGRES_OS_USER}: ${error.stderr?.trim()} (run \`useradd --system --user-group ${POSTGRES_OS_USER}\`)`,
    );
  });
  return `created OS user ${POSTGRES_OS_USER}`;
}

/** Under root, PostgreSQL runs as that user from a copy outside the (maybe private) checkout. */
async function ensurePostgresBinaries(): Promise<string> {
  if (!isRoot) return "not root: run from node_modules";
  try {
    return `in ${await installSharedPostgres()}`;
  } catch (error) {
    throw new SetupProblem(`could not copy the PostgreSQL binaries: ${(error as Error).message}`);
  }
}

async function ensureKafka(): Promise<string> {
  try {
    const fetched = await ensureKafkaJars();
    return `Kafka ${KAFKA_VERSION} jars ${fetched ? "fetched" : "cached"}`;
  } catch (error) {
    throw new SetupProblem((error as Error).message);
  }
}

async function ensureKube(): Promise<string> {
  const kubeModule = join(import.meta.dirname, "kube.ts");
  if (!existsSync(kubeModule)) return "skipped: test/harness/kube.ts is not there yet";
  const kube = (await import("./kube")) as {
    ensureKubeBinaries?: (log: (line: string) => void) => Promise<void>;
  };
  if (typeof kube.ensureKubeBinaries !== "function") {
    return "skipped: test/harness/kube.ts has no ensureKubeBinaries yet";
  }
  try {
    await kube.ensureKubeBinaries((line) => say(`  ${line}`));
  } catch (error) {
    throw new SetupProblem((error as Error).message);
  }
  return "etcd, kube-apiserver, actionlint and jaeger ready";
}

async function ensurePython(): Promise<string> {
  try {
    const built = await ensurePythonTools((line) => say(`  ${line}`));
    return `barman-cloud ${BARMAN_VERSION} and the S3 server ${built ? "installed" : "cached"}`;
  } catch (error) {
    throw new SetupProblem((error as Error).message);
  }
}

interface Step {
  readonly name: string;
  readonly run: () => Promise<string>;
}

const steps: readonly Step[] = [
  { name: "debian packages", run: ensureDebianPackages },
  { name: "other tools", run: checkOtherTools },
  { name: "postgres user", run: ensurePostgresUser },
  { name: "postgres binaries", run: ensurePostgresBinaries },
  { name: "kafka", run: ensureKafka },
  { name: "kubernetes", run: ensureKube },
  { name: "python tools", run: ensurePython },
];

/**
 * Only one setup at a time per cache: two `npm test` runs at once would otherwise both run
 * apt-get (one fails on dpkg's lock) or fetch the same jars into the same folder. The lock
 * is a directory holding the owner's pid; a lock whose owner died is taken over.
 */
async function lockCache(): Promise<() => void> {
  const lock = join(cacheDir(), "setup.lock");
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = lockOwner(lock);
    if (owner === undefined) continue;
    // No pid yet: its owner is between mkdir and writing it, or died there long ago.
    const abandoned = owner === 0 && Date.now() - statSync(lock).mtimeMs > 60_000;
    if (abandoned || (owner > 0 && !isAlive(owner))) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!told) console.error(`setup: waiting for another setup (pid ${owner || "?"}) to finish`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The pid in the lock, 0 when not written yet, undefined when the lock is gone. */
function lockOwner(lock: string): number | undefined {
  try {
    return Number(readFileSync(join(lock, "pid"), "utf8")) || 0;
  } catch {
    return existsSync(lock) ? 0 : undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function main(): Promise<void> {
  const startedMs = Date.now();
  say(`setup: cache in ${cacheDir()}`);
  const unlock = await lockCache();
  process.on("exit", unlock);
  const problems: string[] = [];
  for (const step of steps) {
    const stepStartedMs = Date.now();
    try {
      const result = await step.run();
      say(`ok   ${step.name}: ${result} (${seconds(stepStartedMs)})`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push(`${step.name}: ${message}`);
      console.error(`FAIL ${step.name}: ${message}`);
    }
  }
  const verdict = problems.length === 0 ? "ready" : `${problems.length} problem(s)`;
  console.log(`setup: ${verdict} in ${seconds(startedMs)}`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

function seconds(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;
}

await main();
