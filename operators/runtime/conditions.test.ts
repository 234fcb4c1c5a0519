/** @module Conditions keep their transition time unless their status changes. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { setCondition } from "./conditions";

const first = new Date("2026-11-22T10:00:00Z");
const later = new Date("2026-11-22T10:05:00Z");

test("a condition that keeps its status keeps its lastTransitionTime", () => {
  const pending = setCondition(
    undefined,
    { type: "Enforced", status: false, reason: "AwaitingAcknowledgement", message: "1/3" },
    1,
    first,
  );
  const still = setCondition(
    pending,
    { type: "Enforced", status: false, reason: "AwaitingAcknowledgement", message: "2/3" },
    1,
    later,
  );
  assert.is(still[0]!.lastTransitionTime, first.toISOString());
  assert.is(still[0]!.message, "2/3");
  const enforced = setCondition(
    still,
    { type: "Enforced", status: true, reason: "Acknowledged", message: "3/3" },
    2,
    later,
  );
  assert.is(enforced[0]!.lastTransitionTime, later.toISOString());
  assert.is(enforced[0]!.status, "True");
  assert.is(enforced[0]!.observedGeneration, 2);
});

test("conditions are kept in a stable order: Ready, Enforced, Approved", () => {
  let conditions = setCondition(
    undefined,
    { type: "Approved", status: true, reason: "NotRequired", message: "" },
    1,
    first,
  );
  conditions = setCondition(
    conditions,
    { type: "Ready", status: true, reason: "Converged", message: "" },
    1,
    first,
  );
  conditions = setCondition(
    conditions,
    { type: "Enforced", status: true, reason: "Acknowledged", message: "" },
    1,
    first,
  );
  assert.equal(
    conditions.map((condition) => condition.type),
    ["Ready", "Enforced", "Approved"],
  );
});

test.run();
