/** @module Unit tests for the backoff schedule. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backoffMs } from "./backoff";

test("doubles from the base and stops at the ceiling", () => {
  assert.equal(
    [0, 1, 2, 3, 4].map((n) => backoffMs(n, 100, 500)),
    [0, 100, 200, 400, 500],
  );
  assert.is(backoffMs(1000), 60_000);
});

test.run();
