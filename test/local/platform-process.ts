/**
 * @module `npm start` as a user runs it, for the tests: its own process group, its output in a
 * log, its state in a temp dir (`BREAKWATER_STATE_DIR`, so test files can run platforms side
 * by side), Ctrl-C as a terminal sends it (SIGINT to the group), and every port the platform
 * listened on.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PlatformState } from "../../local/platform-state";
import { type ManagedProcess, makeTempDir, startProcess, waitUntil } from "../harness/process";

const root = resolve(import.meta.dirname, "..", "..");

export interface PlatformProcess {
  readonly process: ManagedProcess;
  readonly state: PlatformState;
  /** Environment for another command on this platform (`npm run drill`, a second `npm start`). */
  readonly env: NodeJS.ProcessEnv;
  output(): string;
  /** Ctrl-C: SIGINT to the group; resolves with npm's exit code once every process of it ended. */
  interrupt(): Promise<number | null>;
}

/** Whether any process of group `pgid` is still alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every loopback port the platform listens on: servers, replicas, the sandbox. */
export function platformPorts(state: PlatformState): number[] {
  const urls = [
    ...Object.values(state.endpoints),
    ...Object.values(state.services).flatMap((service) => service.urls),
  ];
  return [
    ...new Set(
      urls.flatMap((url) => url.split(",")).map((url) => Number(/:(\d+)(\/|$)/.exec(url)?.[1])),
    ),
  ].filter((port) => port > 0);
}

/** Start `npm start` and wait until it printed that it is up (generous: the machine is shared). */
export async function startPlatformProcess(): Promise<PlatformProcess> {
  const stateDir = makeTempDir("platform-state");
  const logPath = join(makeTempDir("platform-log"), "npm-start.log");
  const env = { ...process.env, BREAKWATER_STATE_DIR: stateDir };
  const managed = startProcess({
    name: "npm-start",
    command: "npm",
    args: ["start"],
    cwd: root,
    env,
    logPath,
  });
  const output = () => readFileSync(logPath, "utf8");
  await waitUntil("npm start is up", async () => output().includes("breakwater is up"), {
    process: managed,
    timeoutMs: 300_000,
    intervalMs: 500,
  });
  const statePath = join(stateDir, "platform.json");
  if (!existsSync(statePath)) throw new Error(`npm start wrote no ${statePath}`);
  const state = JSON.parse(readFileSync(statePath, "utf8")) as PlatformState;
  return {
    process: managed,
    state,
    env,
    output,
    async interrupt() {
      const { child } = managed;
      const ended = () => child.exitCode !== null || child.signalCode !== null;
      try {
        if (!ended()) process.kill(-child.pid!, "SIGINT");
      } catch {
        // The group is already gone.
      }
      // The child is unref'd: poll (a timer keeps this process alive) rather than await its exit.
      await waitUntil("npm start exits after SIGINT", async () => ended(), {
        timeoutMs: 120_000,
        intervalMs: 200,
      });
      // npm returns first; the platform's own process ends once the harness stopped its servers.
      await waitUntil(
        "every process of npm start's group ends",
        async () => !groupAlive(child.pid!),
        {
          timeoutMs: 120_000,
          intervalMs: 200,
        },
      );
      return child.exitCode;
    },
  };
}
