/** @module Tests for the pure posting logic of the ledger. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  assertBalanced,
  balanceChanges,
  entriesOf,
  InvalidPostingError,
  UnbalancedTransactionError,
} from "./ledger-posting";

test("a posting becomes a debit and a credit that sum to zero", () => {
  const entries = entriesOf([
    { source: "users:1:wallet", target: "users:2:wallet", amount: 250n, currency: "USD" },
  ]);
  assert.equal(entries, [
    { account: "users:1:wallet", currency: "USD", amount: -250n },
    { account: "users:2:wallet", currency: "USD", amount: 250n },
  ]);
});

test("entries must sum to zero in each currency separately", () => {
  assert.throws(
    () =>
      assertBalanced([
        { account: "a:1", currency: "USD", amount: -5n },
        { account: "a:2", currency: "EUR", amount: 5n },
      ]),
    (error: unknown) => error instanceof UnbalancedTransactionError && error.currency === "USD",
  );
  assertBalanced([
    { account: "a:1", currency: "USD", amount: -5n },
    { account: "a:2", currency: "USD", amount: 5n },
  ]);
});

const invalid = (error: unknown) => error instanceof InvalidPostingError;

test("no postings, a zero or negative amount, or a self-transfer are refused", () => {
  assert.throws(() => entriesOf([]), invalid);
  assert.throws(
    () => entriesOf([{ source: "a:1", target: "a:2", amount: 0n, currency: "USD" }]),
    invalid,
  );
  assert.throws(
    () => entriesOf([{ source: "a:1", target: "a:2", amount: -1n, currency: "USD" }]),
    invalid,
  );
  assert.throws(
    () => entriesOf([{ source: "a:1", target: "a:1", amount: 1n, currency: "USD" }]),
    invalid,
  );
});

test("balance changes are netted per account and currency and sorted in lock order", () => {
  const changes = balanceChanges(
    entriesOf([
      { source: "users:b:wallet", target: "users:a:wallet", amount: 10n, currency: "USD" },
      { source: "users:a:wallet", target: "users:b:wallet", amount: 3n, currency: "USD" },
      { source: "users:a:wallet", target: "users:B:wallet", amount: 1n, currency: "EUR" },
    ]),
  );
  assert.equal(changes, [
    // Code-point order: upper case sorts before lower case, as in PostgreSQL's "C" collation.
    { account: "users:B:wallet", currency: "EUR", delta: 1n },
    { account: "users:a:wallet", currency: "EUR", delta: -1n },
    { account: "users:a:wallet", currency: "USD", delta: 7n },
    { account: "users:b:wallet", currency: "USD", delta: -7n },
  ]);
});

test.run();
