/**
 * @module A drill's timeline: each step runs once, in order, with its start offset and
 * duration recorded. A step that throws ends the drill with a {@link DrillStepError} naming it.
 */

/** One finished (or failed) step. */
export interface TimelineStep {
  readonly name: string;
  /** Milliseconds from the drill's start to the step's start. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly ok: boolean;
  /** What the step found, e.g. `3 backups` or `rows 150/150`. */
  readonly detail?: string;
}

/** A failed step: the drill's exit names it. */
export class DrillStepError extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`step "${step}" failed: ${reason.split("\n")[0]}`);
  }
}

export class Timeline {
  readonly steps: TimelineStep[] = [];
  private readonly startedMs = Date.now();

  /** `onStep` hears each step as it ends (the command prints it at once). */
  constructor(private readonly onStep?: (step: TimelineStep) => void) {}

  /**
   * Run one step. `fn` may return `{ value, detail }` to show a detail on the timeline.
   *
   * @example const url = await timeline.step("start postgres", async () => (await startPostgres()).url);
   */
  async step<T>(name: string, fn: () => Promise<T>, detail?: (value: T) => string): Promise<T> {
    const startMs = Date.now();
    try {
      const value = await fn();
      this.record(name, startMs, true, detail?.(value));
      return value;
    } catch (error) {
      this.record(name, startMs, false, error instanceof Error ? error.message : String(error));
      throw new DrillStepError(name, error);
    }
  }

  /** Milliseconds since the drill started. */
  elapsedMs(): number {
    return Date.now() - this.startedMs;
  }

  private record(name: string, startMs: number, ok: boolean, detail?: string): void {
    const step: TimelineStep = {
      name,
      startMs: startMs - this.startedMs,
      durationMs: Date.now() - startMs,
      ok,
      ...(detail === undefined ? {} : { detail: detail.split("\n")[0] }),
    };
    this.steps.push(step);
    this.onStep?.(step);
  }
}

/** The timeline as aligned lines: `+offset  duration  ok|FAIL  step  detail`. */
export function formatTimeline(steps: readonly TimelineStep[]): string {
  const width = Math.max(...steps.map((step) => step.name.length), 4);
  return steps.map((step) => formatStep(step, width)).join("\n");
}

/** One step as a line: `+offset  duration  ok|FAIL  step  detail`, the name padded to `width`. */
export function formatStep(step: TimelineStep, width = 0): string {
  const offset = `+${seconds(step.startMs)}`.padStart(9);
  const duration = seconds(step.durationMs).padStart(8);
  const verdict = step.ok ? "ok  " : "FAIL";
  return `${offset} ${duration}  ${verdict}  ${step.name.padEnd(width)}  ${step.detail ?? ""}`.trimEnd();
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
