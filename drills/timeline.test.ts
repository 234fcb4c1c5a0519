/** @module The drill timeline: durations in order, and a failed step named in the error. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DrillStepError, formatTimeline, Timeline } from "./timeline";

test("steps are recorded in order with their details", async () => {
  const timeline = new Timeline();
  const value = await timeline.step(
    "first",
    async () => 41,
    (n) => `got ${n}`,
  );
  await timeline.step("second", async () => {});
  assert.is(value, 41);
  assert.equal(
    timeline.steps.map((step) => [step.name, step.ok, step.detail]),
    [
      ["first", true, "got 41"],
      ["second", true, undefined],
    ],
  );
  assert.ok(timeline.steps[1]!.startMs >= timeline.steps[0]!.startMs);
});

test("a failing step throws an error naming it, and shows FAIL with its reason", async () => {
  const timeline = new Timeline();
  await timeline.step("start", async () => {});
  let caught: unknown;
  try {
    await timeline.step("restore", async () => {
      throw new Error("barman-cloud-restore failed: no backup\nmore lines");
    });
  } catch (error) {
    caught = error;
  }
  assert.instance(caught, DrillStepError);
  assert.is((caught as DrillStepError).step, "restore");
  assert.is(
    (caught as DrillStepError).message,
    'step "restore" failed: barman-cloud-restore failed: no backup',
  );
  const lines = formatTimeline(timeline.steps).split("\n");
  assert.match(lines[0]!, /^ +\+0\.\d\d s +\d+\.\d\d s {2}ok {4}start$/);
  assert.match(lines[1]!, /FAIL {2}restore {2}barman-cloud-restore failed: no backup$/);
});

test.run();
