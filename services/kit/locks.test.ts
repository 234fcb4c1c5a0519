/** @module Unit tests for lock key naming (ownership is tested against Redis in test/kit). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { lockKey } from "./locks";

test("keys are lock:<domain>:<id>", () => {
  assert.is(lockKey("purchase", "42"), "lock:purchase:42");
});

test("bad domains and ids are refused", () => {
  assert.throws(() => lockKey("Purchase:x", "1"), /domain/);
  assert.throws(() => lockKey("purchase", ""), /id/);
  assert.throws(() => lockKey("purchase", "a b"), /id/);
});

test.run();
