/** @module Runner fixture: one test passes and one fails an assertion. */
import { test } from "uvu";
import * as assert from "uvu/assert";

test("passes", () => {});

test("compares balances", () => {
  assert.is(1500, 1499, "balances differ");
});

test.run();
