/** @module Tests for the mapping of domain errors to problems. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { InsufficientFundsError, ReferenceConflictError } from "../kit/ledger/ledger";
import { DepositReferenceMismatchError } from "./deposits";
import { PayoutNotInReviewError } from "./payout-resolution";
import { problemFor } from "./problems";

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

test("other errors, a lost database included, are left to the kit's handler", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
    code: "ECONNREFUSED",
  });
  assert.is(problemFor(refused), undefined);
  assert.is(problemFor(new TypeError("x is undefined")), undefined);
});

test("a reference reused for another transfer or payout is a 409", () => {
  const conflict = problemFor(new ReferenceConflictError("payout", "key-1"));
  assert.is(conflict?.status, 409);
  assert.match(conflict!.details.type, /ledger\/reference-conflict$/);
  assert.match(conflict!.details.detail as string, /different payout/);
});

test.run();
