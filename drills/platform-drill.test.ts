/** @module A platform drill's steps: in order, the first missing one named, faults undone. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { PlatformClient } from "./platform-client";
import { type PlatformScenario, runScenario } from "./platform-drill";
import { formatStep, Timeline } from "./timeline";

const platform = {} as PlatformClient;

test("a step that never happens ends the drill, names the step, and the undo still runs", async () => {
  let undone = false;
  let after = false;
  const scenario: PlatformScenario = {
    name: "broken",
    playbook: "none",
    summary: "a fault nothing answers",
    async run(run) {
      run.undo(async () => {
        undone = true;
      });
      await run.step("fault injected", async () => "done");
      await run.step("alert firing", async () => false, { timeoutMs: 50, intervalMs: 10 });
      after = true;
    },
  };
  const result = await runScenario(scenario, platform, new Timeline());
  assert.is(result.ok, false);
  assert.is(result.failedStep, "alert firing");
  assert.equal(
    result.steps.map((step) => [step.name, step.ok]),
    [
      ["fault injected", true],
      ["alert firing", false],
    ],
  );
  assert.ok(undone, "the fault was put right");
  assert.not.ok(after, "nothing after the missing step ran");
  assert.match(formatStep(result.steps[1]!), /FAIL {2}alert firing {2}waited \d+ s; last: not yet/);
});

test("a check that throws is retried, and its last error explains a missing step", async () => {
  let calls = 0;
  const scenario: PlatformScenario = {
    name: "flaky",
    playbook: "none",
    summary: "answers on the third try",
    async run(run) {
      await run.step(
        "answers",
        async () => {
          calls += 1;
          if (calls < 3) throw new Error("connection refused");
          return "third try";
        },
        { intervalMs: 1 },
      );
      await run.step(
        "never",
        async () => {
          throw new Error("503 from the status page");
        },
        { timeoutMs: 20, intervalMs: 5 },
      );
    },
  };
  const result = await runScenario(scenario, platform, new Timeline());
  assert.equal(result.steps[0]?.detail, "third try");
  assert.match(result.error ?? "", "last: 503 from the status page");
});

test.run();
