/**
 * @module What a running `npm start` tells other programs (drills, tests, people): its
 * endpoints, kubeconfigs and settings in `.breakwater/platform.json` (mode 600: it holds the
 * sandbox's test credentials), and whether the process that wrote it still runs.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { EscrowLoginFiles } from "./escrow-logins";

/** `.breakwater/` of the checkout, or `$BREAKWATER_STATE_DIR` (tests run platforms side by side). */
export const stateDir =
  process.env.BREAKWATER_STATE_DIR ?? join(resolve(import.meta.dirname, ".."), ".breakwater");
export const platformFile = join(stateDir, "platform.json");
/** Where `npm start` writes a kubeconfig per user. */
export const platformKubeconfigDir = join(stateDir, "platform");

export interface ServiceEndpoints {
  /** One URL per replica. */
  readonly urls: readonly string[];
  readonly databaseUrl: string;
}

export interface PlatformState {
  readonly pid: number;
  readonly startedAt: string;
  /** The environment whose rules, routes and automation run here. */
  readonly environment: string;
  /** Kubeconfig per user (admin, alice, bob, ...). */
  readonly kubeconfigs: Readonly<Record<string, string>>;
  readonly endpoints: {
    readonly kubernetes: string;
    readonly postgres: string;
    readonly redis: string;
    readonly kafka: string;
    readonly prometheus: string;
    readonly alertmanager: string;
    readonly autopilot: string;
    readonly operator: string;
    readonly statusPage: string;
    /** Faults in outside parties, customers' tokens, the pages sent (sandbox-server.ts). */
    readonly sandbox: string;
  };
  readonly services: Readonly<Record<string, ServiceEndpoints>>;
  /** Bearer token of the sandbox server. */
  readonly sandboxToken: string;
  /** Each demo trader's exchange token file (local/trader-tokens.ts). */
  readonly traderTokens: Readonly<Record<string, string>>;
  /** Each escrow demo user's login files (local/escrow-logins.ts). */
  readonly escrowLogins: Readonly<Record<string, EscrowLoginFiles>>;
}

/** Whether `pid` runs `npm start` (a recycled pid runs something else). */
function isPlatformProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("local/start");
  } catch {
    return false;
  }
}

/** The state of the platform that runs now, or undefined. */
export function runningPlatform(): PlatformState | undefined {
  if (!existsSync(platformFile)) return undefined;
  const state = JSON.parse(readFileSync(platformFile, "utf8")) as PlatformState;
  return isPlatformProcess(state.pid) ? state : undefined;
}

export function writePlatformState(state: PlatformState): void {
  writeFileSync(platformFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Forget the platform: its state and its kubeconfigs, which name a cluster that is gone. */
export function removePlatformState(): void {
  rmSync(platformFile, { force: true });
  rmSync(platformKubeconfigDir, { recursive: true, force: true });
}
