/** @module Unit tests for background workers: no overlap, results counted, stop waits for the run. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createMetrics } from "./metrics";
import { runWorker } from "./worker";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function count(metrics: ReturnType<typeof createMetrics>, worker: string, result: string) {
  const values = (await metrics.workerRuns.get()).values;
  return (
    values.find((value) => value.labels.worker === worker && value.labels.result === result)
      ?.value ?? 0
  );
}

test("runs never overlap, even when runNow is called during a run", async () => {
  const metrics = createMetrics();
  let running = 0;
  let overlap = false;
  const worker = runWorker(
    "w",
    async () => {
      running += 1;
      if (running > 1) overlap = true;
      await sleep(30);
      running -= 1;
    },
    5,
    { metrics },
  );
  await Promise.all([worker.runNow(), worker.runNow(), sleep(100)]);
  await worker.stop();
  assert.not.ok(overlap);
  assert.ok((await count(metrics, "w", "success")) >= 3);
});

test("a throw counts as failed, a returned string is the result label", async () => {
  const metrics = createMetrics();
  let calls = 0;
  const worker = runWorker(
    "payout",
    async () => {
      calls += 1;
      if (calls === 1) throw new Error("psp down");
      return "skipped";
    },
    1000,
    { metrics },
  );
  await sleep(20);
  await worker.runNow();
  await worker.stop();
  assert.is(await count(metrics, "payout", "failed"), 1);
  assert.is(await count(metrics, "payout", "skipped"), 1);
});

test("stop aborts the signal and waits for the run in progress", async () => {
  let finished = false;
  let aborted = false;
  const worker = runWorker(
    "slow",
    async (signal) => {
      await sleep(80);
      aborted = signal.aborted;
      finished = true;
    },
    1000,
  );
  await sleep(10);
  await worker.stop();
  assert.ok(finished);
  assert.ok(aborted);
});

test.run();
