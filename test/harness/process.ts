/**
 * @module Child processes for the harness of real servers: each server runs in its own
 * process group so that stopping it also stops its children, and every group still alive
 * is killed when the Node process exits, fails, or gets Ctrl-C. No fixed ports: servers
 * bind to a free loopback port found by asking the kernel for one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A server process started by the harness. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** File that receives the process's stdout and stderr. */
  readonly logPath: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  /** How it ended, once it has: `exited with code 3`, `could not run …: …`. */
  readonly ended: Promise<string>;
  /** SIGTERM to the whole group, SIGKILL after `graceMs` (default 5000). */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ManagedProcess>();
const tempDirs = new Set<string>();
let exitHooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const cleanup = () => {
    for (const managed of live) killGroup(managed.child, "SIGKILL");
    live.clear();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    tempDirs.clear();
  };
  process.on("exit", cleanup);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      cleanup();
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
    });
  }
}

/**
 * A fresh temporary directory, removed when the process exits (unless
 * `BREAKWATER_KEEP_TMP=1`). Created in the system temp dir (`os.tmpdir()`: `$TMPDIR`, else /tmp)
 * so that other users (the `postgres` user that initdb runs as under root) can write it
 * after a chown.
 */
export function makeTempDir(prefix: string): string {
  installExitHooks();
  const dir = mkdtempSync(join(tmpdir(), `breakwater-${prefix}-`));
  if (process.env.BREAKWATER_KEEP_TMP !== "1") tempDirs.add(dir);
  return dir;
}

/** Forget a temporary directory so it survives this process (used by `env:up`). */
export function keepTempDir(dir: string): void {
  tempDirs.delete(dir);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not read the port of a probe socket"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Where stdout and stderr go. */
  readonly logPath: string;
  /** Keep running after this Node process exits (`env:up`). @default false */
  readonly detached?: boolean;
}

/** Start a server process in its own process group, logging to `logPath`. */
export function startProcess(options: StartOptions): ManagedProcess {
  installExitHooks();
  // The log file itself is the child's stdout and stderr, so output survives a parent that
  // exits first (`env:up`) and nothing buffers in this process.
  const log = openSync(options.logPath, "a");
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const ended = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) =>
      resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`),
    );
    child.once("error", (error) => resolve(`could not run ${options.command}: ${error.message}`));
  });
  const exited = ended.then(() => child.exitCode);
  const managed: ManagedProcess = {
    name: options.name,
    child,
    logPath: options.logPath,
    exited,
    ended,
    async stop(graceMs = 5000) {
      live.delete(managed);
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      // Children that ignored SIGTERM with the leader gone.
      killGroup(child, "SIGKILL");
    },
  };
  // A server never keeps the Node process alive: the exit hooks kill the group instead, so a
  // test file that forgets stop() still ends.
  child.unref();
  if (!options.detached) live.add(managed);
  exited.then(() => live.delete(managed));
  return managed;
}

export interface WaitOptions {
  /** @default 60000 */
  readonly timeoutMs?: number;
  /** @default 100 */
  readonly intervalMs?: number;
  /** Fail fast with the log's tail if this process exits while waiting. */
  readonly process?: ManagedProcess;
}

/**
 * Poll `probe` until it resolves truthy. Throws with what the probe last said (and the tail
 * of the process log) when the time runs out or the process dies.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: WaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let lastError = "";
  let ended: string | undefined;
  options.process?.ended.then((how) => {
    ended = how;
  });
  while (Date.now() < deadline) {
    if (ended !== undefined) break;
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
  const tail = options.process ? await logTail(options.process.logPath) : "";
  // The first line says why on its own: how the process ended and the last thing it logged.
  const lastLogLine = tail.split("\n").at(-1)?.trim();
  const reason =
    ended !== undefined
      ? `the process ${ended}${lastLogLine ? `: ${lastLogLine}` : ""}`
      : `timed out${lastError ? ` (last error: ${lastError})` : ""}`;
  throw new Error(`${what}: ${reason}${tail ? `\n--- log tail ---\n${tail}` : ""}`);
}

/** The last `lines` lines of a log file, or "" when it cannot be read. */
export async function logTail(path: string, lines = 30): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  try {
    return (await readFile(path, "utf8")).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
