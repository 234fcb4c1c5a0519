/** @module Unit tests for choosing the control in force (propagation is tested in test/kit). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { symbolMode } from "../../operators/crds/index";
import { rankOf } from "./control-kinds";
import { isControlActive, mostRestrictive, refuse } from "./controls";
import type { Control } from "./controls-store";

function control(
  id: string,
  kind: string,
  spec: Record<string, unknown>,
  version: number,
  expiresAt: string | null = null,
): Control {
  return {
    id,
    kind,
    spec,
    source: {},
    reason: `reason ${id}`,
    ticket: `INC-${version}`,
    actor: "alice",
    expiresAt,
    version,
    updatedAt: "2026-11-22T10:00:00.000Z",
  };
}

const now = Date.parse("2026-11-22T11:00:00Z");
const rank = rankOf(symbolMode);
const bySymbol = (symbol: string) => (c: Control) => c.spec.symbol === symbol;

test("the most restrictive symbol mode wins regardless of order", () => {
  const set = [
    control("a", "SymbolMode", { symbol: "BTC-USD", mode: "CANCEL_ONLY" }, 5),
    control("b", "SymbolMode", { symbol: "BTC-USD", mode: "HARD_HALT" }, 3),
    control("c", "SymbolMode", { symbol: "ETH-USD", mode: "HARD_HALT" }, 6),
  ];
  assert.is(mostRestrictive(set, "SymbolMode", bySymbol("BTC-USD"), rank, now)?.id, "b");
  assert.is(mostRestrictive(set, "SymbolMode", bySymbol("SOL-USD"), rank, now), undefined);
});

test("equal rank goes to the newest; expired controls do not count", () => {
  const set = [
    control("old", "WithdrawalHalt", {}, 2),
    control("new", "WithdrawalHalt", {}, 9),
    control("expired", "WithdrawalHalt", {}, 12, "2026-11-22T10:59:59Z"),
  ];
  assert.is(
    mostRestrictive(
      set,
      "WithdrawalHalt",
      () => true,
      () => 0,
      now,
    )?.id,
    "new",
  );
  assert.is(
    mostRestrictive(
      set,
      "ProviderDisable",
      () => true,
      () => 0,
      now,
    ),
    undefined,
  );
});

test("a refusal names the control, its ticket and reason", () => {
  const error = refuse(
    control("withdrawalhalt.payments.halt-btc", "WithdrawalHalt", {}, 4),
    "withdrawals/halted",
    "Withdrawals are halted",
  );
  assert.is(error.status, 423);
  assert.is(error.details.control, "withdrawalhalt.payments.halt-btc");
  assert.is(error.details.ticket, "INC-4");
  assert.is(error.details.reason, "reason withdrawalhalt.payments.halt-btc");
  assert.match(error.details.type, /\/problems\/withdrawals\/halted$/);
});

test("a control is active until its expiresAt, and forever without one", () => {
  assert.ok(isControlActive(control("open", "WithdrawalHalt", {}, 1), now));
  assert.ok(
    isControlActive(control("later", "WithdrawalHalt", {}, 1, "2026-11-22T11:00:01Z"), now),
  );
  assert.not.ok(
    isControlActive(control("exact", "WithdrawalHalt", {}, 1, "2026-11-22T11:00:00Z"), now),
  );
  assert.not.ok(
    isControlActive(control("past", "WithdrawalHalt", {}, 1, "2026-11-22T10:59:59Z"), now),
  );
});

test.run();
