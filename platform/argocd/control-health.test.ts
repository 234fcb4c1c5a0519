/**
 * @module Runs the Argo CD health script of the control kinds in a real Lua 5.4 interpreter
 * (Debian `lua5.4`; Argo CD embeds a Lua 5.1-compatible VM and the script uses only the
 * common subset) against control objects in each phase.
 */
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { controlPhases } from "../../operators/crds/common";
import { controlHealthScriptPath, controlKinds } from "./control-health-checks";

const lua = "lua5.4";
const luaAvailable = spawnSync(lua, ["-v"]).status === 0;

/** A JSON-like value as a Lua table constructor, so the script sees what Argo CD gives it. */
function toLua(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `{${value.map(toLua).join(", ")}}`;
  const fields = Object.entries(value as Record<string, unknown>).map(
    ([key, field]) => `[${JSON.stringify(key)}] = ${toLua(field)}`,
  );
  return `{${fields.join(", ")}}`;
}

function health(obj: unknown): { status: string; message: string } {
  const program = `obj = ${toLua(obj)}
local hs = dofile(${JSON.stringify(controlHealthScriptPath)})
io.write(hs.status, "\\n", hs.message or "")`;
  const result = spawnSync(lua, ["-e", program], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`lua failed: ${result.stderr}`);
  const [status = "", message = ""] = result.stdout.split("\n");
  return { status, message };
}

function control(status?: Record<string, unknown>, generation = 1) {
  return {
    apiVersion: "ops.breakwater.dev/v1alpha1",
    kind: "WithdrawalHalt",
    metadata: { name: "halt-btc", namespace: "breakwater-system", generation },
    spec: { reason: "Ledger imbalance on BTC", ticket: "INC-1234", requestedBy: "alice" },
    ...(status ? { status } : {}),
  };
}

function ready(value: "True" | "False", message = "") {
  return [{ type: "Ready", status: value, reason: "Test", message }];
}

const luaTest = luaAvailable ? test : test.skip;
if (!luaAvailable) {
  console.log(
    `note: ${lua} is not installed (apt-get install lua5.4); the health script tests are skipped`,
  );
}

luaTest("a control without status is Progressing", () => {
  assert.is(health(control()).status, "Progressing");
});

luaTest("a Pending control is Progressing", () => {
  const result = health(control({ phase: "Pending", observedGeneration: 1 }));
  assert.is(result.status, "Progressing");
});

for (const phase of ["Applied", "Completed", "Lifted", "Expired"]) {
  luaTest(`${phase} with Ready=True is Healthy`, () => {
    const result = health(control({ phase, observedGeneration: 1, conditions: ready("True") }));
    assert.is(result.status, "Healthy");
  });

  luaTest(`${phase} without Ready=True is still Progressing`, () => {
    const result = health(control({ phase, observedGeneration: 1, conditions: ready("False") }));
    assert.is(result.status, "Progressing");
  });
}

luaTest("a Failed control is Degraded and says why", () => {
  const result = health(
    control({
      phase: "Failed",
      observedGeneration: 1,
      conditions: ready("False"),
      message: "payments admin API refused the control: 401",
    }),
  );
  assert.is(result.status, "Degraded");
  assert.is(result.message, "payments admin API refused the control: 401");
});

luaTest("a Failed control falls back to the Ready condition's message", () => {
  const result = health(
    control({
      phase: "Failed",
      observedGeneration: 1,
      conditions: ready("False", "2/3 replicas acked"),
    }),
  );
  assert.is(result.status, "Degraded");
  assert.is(result.message, "2/3 replicas acked");
});

function awaitingApproval(status?: Record<string, unknown>, approvedBy?: string) {
  const object = control(status);
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: {
        "ops.breakwater.dev/requires-approval": "true",
        ...(approvedBy ? { "ops.breakwater.dev/approved-by": approvedBy } : {}),
      },
    },
  };
}

const awaitingMessage = "waiting for approval: annotate with ops.breakwater.dev/approved-by=<user>";

luaTest(
  "a control awaiting approval is Suspended with the operator's message, not Progressing",
  () => {
    const result = health(
      awaitingApproval({
        phase: "Pending",
        observedGeneration: 1,
        conditions: [
          { type: "Ready", status: "False", reason: "AwaitingApproval", message: awaitingMessage },
          {
            type: "Approved",
            status: "False",
            reason: "AwaitingApproval",
            message: awaitingMessage,
          },
        ],
      }),
    );
    assert.equal(result, { status: "Suspended", message: awaitingMessage });
  },
);

luaTest("it is Suspended before the operator wrote any status, saying who may approve", () => {
  const result = health(awaitingApproval());
  assert.is(result.status, "Suspended");
  assert.match(result.message, "breakwater-approver");
});

luaTest("once approved it is judged by its phase again", () => {
  const approved = awaitingApproval({ phase: "Pending", observedGeneration: 1 }, "bob");
  assert.is(health(approved).status, "Progressing");
  const applied = awaitingApproval(
    { phase: "Applied", observedGeneration: 1, conditions: ready("True") },
    "bob",
  );
  assert.is(health(applied).status, "Healthy");
});

luaTest("a Failed control awaiting approval is still Degraded", () => {
  const result = health(awaitingApproval({ phase: "Failed", observedGeneration: 1 }));
  assert.is(result.status, "Degraded");
});

luaTest("a status from an older generation is Progressing, even if it was Healthy", () => {
  const stale = control({ phase: "Applied", observedGeneration: 1, conditions: ready("True") }, 2);
  assert.is(health(stale).status, "Progressing");
});

luaTest("an unknown phase is Unknown, not Healthy", () => {
  const result = health(
    control({ phase: "Exploded", observedGeneration: 1, conditions: ready("True") }),
  );
  assert.is(result.status, "Unknown");
});

luaTest("every phase the operator writes has a verdict other than Unknown", () => {
  for (const phase of controlPhases) {
    const result = health(control({ phase, observedGeneration: 1, conditions: ready("True") }));
    assert.is.not(result.status, "Unknown", phase);
  }
});

test("the checks cover the four control kinds the runbooks act with", () => {
  for (const kind of ["WithdrawalHalt", "SymbolMode", "ProviderDisable", "LockFlush"]) {
    assert.ok(controlKinds.includes(kind), kind);
  }
});

test.run();
