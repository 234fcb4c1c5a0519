/**
 * @module What a drill is and how one runs: a scenario from a seed's incident playbook that
 * injects a fault into the running platform, then waits for each step the platform must take
 * (metric, alert, decision, control, enforcement, customer-visible effect, resolution, lift).
 * Each step has a deadline; the timeline records when each one happened and how long it took,
 * and the first step that does not happen ends the drill, naming it. `undo` always runs, so a
 * failed drill leaves no fault behind.
 */
import type { PlatformClient } from "./platform-client";

/** One step of a drill's timeline. */
export interface StepRecord {
  readonly name: string;
  /** Since the drill started. */
  readonly atMs: number;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly detail?: string;
}

/** Thrown by {@link DrillRun.step} when a step did not happen in time. */
export class MissingStep extends Error {
  constructor(
    readonly step: string,
    readonly detail: string,
  ) {
    super(`step "${step}" did not happen: ${detail}`);
    this.name = "MissingStep";
  }
}

export interface StepOptions {
  /** @default 60_000 */
  readonly timeoutMs?: number;
  /** @default 500 */
  readonly intervalMs?: number;
}

/** What a drill's scenario uses while it runs. */
export interface DrillRun {
  readonly platform: PlatformClient;
  /**
   * Wait until `check` returns a string (the step's detail, e.g. "2/2 replicas") or true;
   * record the step; throw {@link MissingStep} at the deadline with the last answer.
   */
  step(name: string, check: () => Promise<string | boolean>, options?: StepOptions): Promise<void>;
  /** Register what puts the fault right; run once, at the end, even after a failure. */
  undo(what: () => Promise<void>): void;
}

export interface Drill {
  /** `npm run drill -- <name>`. */
  readonly name: string;
  /** The seed and playbook it plays, e.g. "000 payments: Reconciliation Incident Handling". */
  readonly playbook: string;
  readonly summary: string;
  run(drill: DrillRun): Promise<void>;
}

export interface DrillResult {
  readonly drill: string;
  readonly ok: boolean;
  readonly steps: readonly StepRecord[];
  readonly missing?: MissingStep;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Run `drill` against `platform`; `onStep` hears each step as it is recorded. */
export async function runDrill(
  drill: Drill,
  platform: PlatformClient,
  onStep: (step: StepRecord) => void = () => {},
): Promise<DrillResult> {
  const startedMs = Date.now();
  const steps: StepRecord[] = [];
  const undos: (() => Promise<void>)[] = [];
  const record = (step: StepRecord) => {
    steps.push(step);
    onStep(step);
  };
  async function step(
    name: string,
    check: () => Promise<string | boolean>,
    options: StepOptions = {},
  ) {
    const stepStartedMs = Date.now();
    const deadline = stepStartedMs + (options.timeoutMs ?? 60_000);
    let last = "no answer yet";
    while (true) {
      try {
        const answer = await check();
        if (answer !== false) {
          const detail = typeof answer === "string" ? answer : undefined;
          record({
            name,
            atMs: Date.now() - startedMs,
            durationMs: Date.now() - stepStartedMs,
            ok: true,
            ...(detail ? { detail } : {}),
          });
          return;
        }
        last = "not yet";
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() >= deadline) {
        const waited = `waited ${((Date.now() - stepStartedMs) / 1000).toFixed(0)} s; last: ${last}`;
        record({
          name,
          atMs: Date.now() - startedMs,
          durationMs: Date.now() - stepStartedMs,
          ok: false,
          detail: waited,
        });
        throw new MissingStep(name, waited);
      }
      await sleep(options.intervalMs ?? 500);
    }
  }
  let missing: MissingStep | undefined;
  try {
    await drill.run({ platform, step, undo: (what) => undos.push(what) });
  } catch (error) {
    if (!(error instanceof MissingStep)) throw error;
    missing = error;
  } finally {
    for (const undo of undos.reverse()) await undo().catch(() => undefined);
  }
  return { drill: drill.name, ok: missing === undefined, steps, ...(missing ? { missing } : {}) };
}

/** `  +12.3 s  (4.1 s)  ✓ alert firing in Prometheus — detail`. */
export function formatStep(step: StepRecord): string {
  const at = `+${(step.atMs / 1000).toFixed(1)} s`.padStart(9);
  const took = `(${(step.durationMs / 1000).toFixed(1)} s)`.padStart(9);
  return `${at} ${took}  ${step.ok ? "✓" : "✗"} ${step.name}${step.detail ? ` — ${step.detail}` : ""}`;
}
