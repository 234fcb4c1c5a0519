/** @module Tests for amounts on the wire. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { amountMaximum, amountSchema, isAmount, parseAmount } from "./amount";

test("positive whole numbers up to a bigint's maximum parse exactly", () => {
  assert.is(parseAmount("1"), 1n);
  assert.is(parseAmount("9007199254740993"), 9_007_199_254_740_993n);
  assert.is(parseAmount(amountMaximum.toString()), amountMaximum);
});

test("zero, negatives, decimals, exponents, padding and overflow are refused", () => {
  for (const text of ["0", "-1", "1.5", "1e3", "01", " 1", "", "9223372036854775808", "abc"]) {
    assert.not.ok(isAmount(text), text);
    assert.throws(() => parseAmount(text, "amount"), /amount: /);
  }
  assert.not.ok(amountSchema.safeParse(100).success);
  assert.ok(amountSchema.safeParse("100").success);
});

test.run();
