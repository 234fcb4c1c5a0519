/** @module Tests for the payout state machine. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  assertTransition,
  canTransition,
  isFinal,
  PayoutTransitionError,
  payoutStatuses,
  statusAfterDecision,
  statusAfterSend,
} from "./payout-state";

test("every outcome of a send leads somewhere a sending payout may go", () => {
  for (const outcome of ["sent", "failed", "ambiguous", "unreachable"] as const) {
    assert.ok(canTransition("sending", statusAfterSend(outcome)), outcome);
  }
  assert.is(statusAfterSend("sent"), "settled");
  assert.is(statusAfterSend("failed"), "refunded");
  assert.is(statusAfterSend("ambiguous"), "manual_review");
  assert.is(statusAfterSend("unreachable"), "queued");
});

test("both decisions leave manual review for a final status", () => {
  for (const decision of ["confirm_sent", "refund_failed"] as const) {
    const to = statusAfterDecision(decision);
    assert.ok(canTransition("manual_review", to));
    assert.ok(isFinal(to));
  }
});

test("final statuses are never left, and a queued payout is never settled unsent", () => {
  for (const to of payoutStatuses) {
    assert.not.ok(canTransition("settled", to));
    assert.not.ok(canTransition("refunded", to));
  }
  assert.not.ok(canTransition("queued", "settled"));
  assert.not.ok(canTransition("queued", "manual_review"));
  assert.not.ok(canTransition("manual_review", "queued"));
  assert.throws(
    () => assertTransition("settled", "refunded"),
    (error: unknown) => error instanceof PayoutTransitionError && error.from === "settled",
  );
});

test.run();
