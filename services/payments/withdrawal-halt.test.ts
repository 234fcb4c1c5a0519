/** @module Tests for which payouts a WithdrawalHalt covers. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Control } from "../kit/controls-store";
import { coversPayout, withdrawalsHalted } from "./withdrawal-halt";

function halt(scope: Record<string, unknown> | undefined): Control {
  return {
    id: "withdrawalhalt.payments.test",
    kind: "WithdrawalHalt",
    spec: scope === undefined ? {} : { scope },
    source: {},
    reason: "ledger imbalance",
    ticket: "INC-1",
    actor: "alice",
    expiresAt: null,
    version: 3,
    updatedAt: "2026-11-22T10:00:00Z",
  };
}

test("an empty or absent scope covers every payout", () => {
  assert.ok(coversPayout(halt(undefined), "payments", "USD"));
  assert.ok(coversPayout(halt({}), "payments", "BTC"));
  assert.ok(coversPayout(halt({ services: [], currencies: [] }), "payments", "EUR"));
});

test("services and currencies narrow the halt", () => {
  const btc = halt({ services: ["payments"], currencies: ["BTC"] });
  assert.ok(coversPayout(btc, "payments", "BTC"));
  assert.not.ok(coversPayout(btc, "payments", "USD"));
  assert.not.ok(coversPayout(halt({ services: ["exchange"] }), "payments", "BTC"));
  assert.ok(coversPayout(btc, "payments", "btc"), "codes compare case-insensitively");
});

test("a stored spec the kind's schema refuses fails closed with 503, naming the control", () => {
  assert.throws(
    () => coversPayout(halt({ currencies: ["btc"] }), "payments", "USD"),
    (error: Error & { status?: number; message: string }) =>
      error.status === 503 && /withdrawalhalt\.payments\.test/.test(error.message),
  );
});

test("the refusal is a 423 naming the control and its ticket", () => {
  const refusal = withdrawalsHalted(halt({}));
  assert.is(refusal.status, 423);
  assert.match(refusal.details.type, /withdrawals\/halted$/);
  assert.is(refusal.details.control, "withdrawalhalt.payments.test");
  assert.is(refusal.details.ticket, "INC-1");
});

test.run();
