/**
 * @module The scenarios `npm run drill -- <scenario>` knows, by name. Each lives in its own
 * file beside this one and is loaded only when it runs, so one scenario's dependencies never
 * slow or break another's.
 */
import type { TimelineStep } from "./timeline";

/** What every scenario returns: its timeline, its verdict and the figures it measured. */
export interface DrillReport {
  readonly scenario: string;
  readonly ok: boolean;
  readonly steps: readonly TimelineStep[];
  /** Named figures (seconds, counts), printed as the last JSON line. */
  readonly measured: Readonly<Record<string, number | string>>;
  /** The step that failed, when one did. */
  readonly failedStep?: string;
  readonly error?: string;
}

/** A scenario: parses its own arguments (one line naming a bad one) and runs. */
export interface Drill {
  readonly summary: string;
  run(args: readonly string[]): Promise<DrillReport>;
}

export const drills: Readonly<Record<string, () => Promise<Drill>>> = {
  restore: async () => (await import("./restore")).restoreDrill,
  "restore-cluster": async () => (await import("./restore-cluster")).restoreClusterDrill,
};
