/**
 * @module Debian's Prometheus, Alertmanager and promtool for tests and `env:up`: `promtool`
 * checks and unit-tests rule files; each server runs on a free loopback port with its
 * storage in a temp dir, and is ready when its `/-/ready` endpoint says so.
 */
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import {
  freePort,
  keepTempDir,
  type ManagedProcess,
  makeTempDir,
  startProcess,
  waitUntil,
} from "./process";

export interface PromtoolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface PromtoolOptions {
  /** Written to promtool's standard input (`promtool check metrics` reads it). */
  readonly input?: string;
  readonly cwd?: string;
}

/** Run Debian's `promtool`; never throws on a non-zero exit, only when it cannot start. */
export function promtool(
  args: readonly string[],
  options: PromtoolOptions = {},
): Promise<PromtoolResult> {
  requireCommand("promtool", "prometheus");
  return new Promise((resolvePromise, reject) => {
    const child = spawn("promtool", [...args], {
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** A Prometheus or Alertmanager started by the harness. */
export interface MonitoringServer {
  /** `http://127.0.0.1:port` */
  readonly url: string;
  readonly port: number;
  /** The temp dir holding the config, the storage and the log. */
  readonly dir: string;
  readonly configPath: string;
  readonly logPath: string;
  /** The server's pid (its process group), while running. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** Rule files to load (paths; relative ones are taken from the current directory). */
  readonly rulesFiles?: readonly string[];
  /** `host:port` targets scraped at `/metrics` as job "breakwater". */
  readonly scrapeTargets?: readonly string[];
  /** Where firing alerts go, e.g. the `url` of {@link startAlertmanager}. */
  readonly alertmanagerUrl?: string;
  /** Scrape and rule evaluation interval, short so tests see results soon. @default "1s" */
  readonly interval?: string;
  /** Keep running after this process exits, and keep its temp dir (`env:up`). */
  readonly detached?: boolean;
  /** @default 60000 */
  readonly timeoutMs?: number;
}

export interface AlertmanagerOptions {
  /** alertmanager.yml as YAML; by default every alert goes to a receiver that drops it. */
  readonly config?: string;
  /** Keep running after this process exits, and keep its temp dir (`env:up`). */
  readonly detached?: boolean;
  /** @default 60000 */
  readonly timeoutMs?: number;
}

function requireCommand(command: string, debianPackage: string): void {
  if (spawnSync("sh", ["-c", `command -v ${command}`]).status !== 0) {
    throw new Error(
      `\`${command}\` not found (run \`npm run setup\`, or apt-get install -y ${debianPackage})`,
    );
  }
}

/** The first alertmanager command on PATH: Debian names it prometheus-alertmanager. */
function alertmanagerCommand(): string {
  for (const command of ["prometheus-alertmanager", "alertmanager"]) {
    if (spawnSync("sh", ["-c", `command -v ${command}`]).status === 0) return command;
  }
  throw new Error(
    "`prometheus-alertmanager` not found (run `npm run setup`, or apt-get install -y prometheus-alertmanager)",
  );
}

function prometheusConfig(options: PrometheusOptions): string {
  const interval = options.interval ?? "1s";
  const config: Record<string, unknown> = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: (options.rulesFiles ?? []).map((file) => resolve(file)),
    scrape_configs: [
      {
        job_name: "breakwater",
        static_configs: [{ targets: [...(options.scrapeTargets ?? [])] }],
      },
    ],
  };
  if (options.alertmanagerUrl) {
    const target = new URL(options.alertmanagerUrl);
    config.alerting = {
      alertmanagers: [
        {
          scheme: target.protocol.replace(":", ""),
          path_prefix: target.pathname,
          static_configs: [{ targets: [target.host] }],
        },
      ],
    };
  }
  return stringify(config);
}

const dropEverything = stringify({
  route: { receiver: "drop", group_wait: "0s", group_interval: "1s", repeat_interval: "1h" },
  receivers: [{ name: "drop" }],
});

async function ready(url: string): Promise<boolean> {
  const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
  await response.body?.cancel();
  return response.ok;
}

interface ServeOptions {
  readonly name: string;
  readonly command: string;
  readonly args: (port: number, dir: string) => string[];
  readonly config: string;
  readonly detached?: boolean;
  readonly timeoutMs?: number;
}

async function serve(options: ServeOptions): Promise<MonitoringServer> {
  const dir = makeTempDir(options.name);
  if (options.detached) keepTempDir(dir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configPath = join(dir, `${options.name}.yml`);
  const logPath = join(dir, `${options.name}.log`);
  writeFileSync(configPath, options.config);
  const managed: ManagedProcess = startProcess({
    name: options.name,
    command: options.command,
    args: [`--config.file=${configPath}`, ...options.args(port, dir)],
    cwd: dir,
    logPath,
    detached: options.detached,
  });
  let running = true;
  await waitUntil(`${options.name} on port ${port}`, () => ready(url), {
    timeoutMs: options.timeoutMs ?? 60_000,
    process: managed,
  });
  return {
    url,
    port,
    dir,
    configPath,
    logPath,
    get pid() {
      return running ? managed.child.pid : undefined;
    },
    async stop() {
      running = false;
      await managed.stop(5000);
    },
  };
}

/** Start a new Prometheus and wait until it is ready (rule files loaded). */
export function startPrometheus(options: PrometheusOptions = {}): Promise<MonitoringServer> {
  requireCommand("prometheus", "prometheus");
  return serve({
    name: "prometheus",
    command: "prometheus",
    config: prometheusConfig(options),
    args: (port, dir) => [
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-lifecycle",
      "--log.level=warn",
    ],
    detached: options.detached,
    timeoutMs: options.timeoutMs,
  });
}

/** Start a new Alertmanager (no cluster gossip) and wait until it is ready. */
export function startAlertmanager(options: AlertmanagerOptions = {}): Promise<MonitoringServer> {
  return serve({
    name: "alertmanager",
    command: alertmanagerCommand(),
    config: options.config ?? dropEverything,
    args: (port, dir) => [
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty address turns off the gossip listener, which would take the fixed port 9094.
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    detached: options.detached,
    timeoutMs: options.timeoutMs,
  });
}
