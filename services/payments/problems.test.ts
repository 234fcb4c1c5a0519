/** @module Tests for the mapping of domain errors to problems. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DepositReferenceMismatchError } from "./deposits";
import { InsufficientFundsError } from "./ledger";
import { PayoutNotInReviewError } from "./payout-resolution";
import { isDatabaseUnavailable, problemFor } from "./problems";

test("domain errors become problems with their slug and status", () => {
  const funds = problemFor(new InsufficientFundsError("users:1:wallet", "USD", 5n, 9n));
  assert.is(funds?.status, 422);
  assert.match(funds!.details.type, /ledger\/insufficient-funds$/);
  assert.is(funds!.details.account, "users:1:wallet");
  const drift = problemFor(new DepositReferenceMismatchError("dep-1"));
  assert.is(drift?.status, 409);
  assert.match(drift!.details.type, /webhook\/reference-mismatch$/);
  const resolved = problemFor(new PayoutNotInReviewError("p-1", "settled"));
  assert.is(resolved?.status, 409);
  assert.is(resolved!.details.payoutStatus, "settled");
});

test("a lost database is 503; a bug is left to the kit's 500", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
    code: "ECONNREFUSED",
  });
  assert.ok(isDatabaseUnavailable(refused));
  assert.ok(isDatabaseUnavailable(new Error("Connection terminated unexpectedly")));
  assert.ok(
    isDatabaseUnavailable(Object.assign(new Error("terminating connection"), { code: "57P01" })),
  );
  assert.is(problemFor(refused)?.status, 503);
  assert.not.ok(isDatabaseUnavailable(Object.assign(new Error("syntax error"), { code: "42601" })));
  assert.is(problemFor(new TypeError("x is undefined")), undefined);
});

test.run();
