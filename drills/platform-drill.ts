/**
 * @module Drills against the platform `npm start` runs: a scenario from a seed's incident
 * playbook injects a fault, then waits for each step the platform must take (metric, alert,
 * decision, control, enforcement, customer-visible effect, resolution, lift). Each step polls
 * until it happens or its deadline passes; the first step that does not happen ends the drill,
 * naming it. `undo` always runs, so a failed drill leaves no fault behind.
 */
import { runningPlatform } from "../local/platform-state";
import { type Drill, type DrillIo, type DrillReport, DrillUsageError } from "./drill";
import { type PlatformClient, platformClient } from "./platform-client";
import { DrillStepError, Timeline } from "./timeline";

export interface StepOptions {
  /** @default 60_000 */
  readonly timeoutMs?: number;
  /** @default 500 */
  readonly intervalMs?: number;
}

/** What a scenario uses while it runs. */
export interface DrillRun {
  readonly platform: PlatformClient;
  /**
   * Wait until `check` returns a string (the step's detail, e.g. "2/2 replicas") or true;
   * record the step; at the deadline, end the drill naming the step and the last answer.
   */
  step(name: string, check: () => Promise<string | boolean>, options?: StepOptions): Promise<void>;
  /** Register what puts the fault right; run once, at the end, even after a failure. */
  undo(what: () => Promise<void>): void;
}

export interface PlatformScenario {
  /** `npm run drill -- <name>`. */
  readonly name: string;
  /** The seed and playbook it plays, e.g. "000 payments: Reconciliation Incident Handling". */
  readonly playbook: string;
  readonly summary: string;
  run(drill: DrillRun): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `check` until it answers; throws "waited N s; last: …" at the deadline. */
async function until(
  check: () => Promise<string | boolean>,
  options: StepOptions,
): Promise<string | undefined> {
  const startedMs = Date.now();
  const deadline = startedMs + (options.timeoutMs ?? 60_000);
  let last = "no answer yet";
  for (;;) {
    try {
      const answer = await check();
      if (answer !== false) return typeof answer === "string" ? answer : undefined;
      last = "not yet";
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline)
      throw new Error(`waited ${((Date.now() - startedMs) / 1000).toFixed(0)} s; last: ${last}`);
    await sleep(options.intervalMs ?? 500);
  }
}

/** Run `scenario` against `platform`, recording its steps on `timeline`. */
export async function runScenario(
  scenario: PlatformScenario,
  platform: PlatformClient,
  timeline: Timeline,
): Promise<DrillReport> {
  const undos: (() => Promise<void>)[] = [];
  const step: DrillRun["step"] = async (name, check, options = {}) => {
    await timeline.step(
      name,
      () => until(check, options),
      (detail) => detail ?? "",
    );
  };
  const report = (failed?: DrillStepError): DrillReport => ({
    scenario: scenario.name,
    ok: failed === undefined,
    steps: timeline.steps,
    measured: { steps: timeline.steps.length, seconds: timeline.elapsedMs() / 1000 },
    ...(failed ? { failedStep: failed.step, error: failed.message } : {}),
  });
  try {
    await scenario.run({ platform, step, undo: (what) => undos.push(what) });
    return report();
  } catch (error) {
    if (!(error instanceof DrillStepError)) throw error;
    return report(error);
  } finally {
    for (const undo of undos.reverse()) await undo().catch(() => undefined);
  }
}

/** A scenario as a drill of `npm run drill`: it runs against the platform `npm start` runs. */
export function platformDrill(scenario: PlatformScenario): Drill {
  return {
    summary: `${scenario.summary} (${scenario.playbook})`,
    async run(args: readonly string[], io?: DrillIo) {
      if (args.length > 0)
        throw new DrillUsageError(`${scenario.name}: takes no arguments, got "${args[0]}"`);
      const state = runningPlatform();
      if (!state)
        throw new DrillUsageError(
          "no platform is running: start one with `npm start` in another terminal",
        );
      const platform = platformClient(state);
      try {
        return await runScenario(scenario, platform, new Timeline(io?.onStep));
      } finally {
        await platform.close();
      }
    },
  };
}
