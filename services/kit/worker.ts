/**
 * @module Background workers: a function run every `intervalMs`, one run at a time, each run
 * counted in `worker_runs_total{worker,result}` (`success`, `failed`, or the string the run
 * returns, e.g. `skipped`). Stopping waits for the run in progress.
 */
import type { Logger } from "./logger";
import type { ServiceMetrics } from "./metrics";

/** A worker a service declares. */
export interface WorkerDefinition {
  readonly name: string;
  readonly intervalMs: number;
  /**
   * One run. `signal` aborts when the service is stopping: finish or give up quickly. A
   * string it resolves to becomes the `result` label (e.g. `skipped`); anything else counts
   * as `success`, a throw as `failed`.
   */
  readonly run: (signal: AbortSignal) => Promise<unknown>;
}

/** A running worker. */
export interface WorkerHandle {
  readonly name: string;
  /** Run now (without waiting for the interval), after any run in progress. */
  runNow(): Promise<void>;
  /** Stop scheduling and wait for the run in progress. */
  stop(): Promise<void>;
}

export interface RunWorkerOptions {
  readonly metrics?: ServiceMetrics;
  readonly logger?: Logger;
  /** Run once right away instead of after the first interval. @default true */
  readonly immediate?: boolean;
}

/**
 * Run `fn` every `intervalMs` (measured from the end of a run, so runs never overlap).
 *
 * @example const worker = runWorker("payout", () => sendDuePayouts(), 1000, { metrics, logger });
 */
export function runWorker(
  name: string,
  fn: WorkerDefinition["run"],
  intervalMs: number,
  options: RunWorkerOptions = {},
): WorkerHandle {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  async function once(): Promise<void> {
    let result = "success";
    try {
      const returned = await fn(abort.signal);
      if (typeof returned === "string" && returned.length > 0) result = returned;
    } catch (error) {
      result = "failed";
      options.logger?.error({ err: error, worker: name }, "worker run failed");
    }
    options.metrics?.workerRuns.inc({ worker: name, result });
  }

  function schedule(delayMs: number): void {
    if (abort.signal.aborted) return;
    timer = setTimeout(() => {
      current = current.then(once).finally(() => schedule(intervalMs));
    }, delayMs);
  }

  schedule(options.immediate === false ? intervalMs : 0);
  return {
    name,
    async runNow() {
      if (abort.signal.aborted) return;
      current = current.then(once);
      await current;
    },
    async stop() {
      abort.abort();
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
