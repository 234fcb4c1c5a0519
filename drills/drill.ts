/** @module What every drill scenario is and returns; the registry is `index.ts`. */
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
