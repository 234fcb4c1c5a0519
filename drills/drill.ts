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

/** What the command gives a scenario while it runs. */
export interface DrillIo {
  /** Told of each step as it ends, so a long drill shows its progress. */
  readonly onStep?: (step: TimelineStep) => void;
}

/** A scenario: parses its own arguments (a {@link DrillUsageError} naming a bad one) and runs. */
export interface Drill {
  readonly summary: string;
  run(args: readonly string[], io?: DrillIo): Promise<DrillReport>;
}

/** What the command cannot run as asked (a bad argument, nothing to run against): exit 2. */
export class DrillUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DrillUsageError";
  }
}
