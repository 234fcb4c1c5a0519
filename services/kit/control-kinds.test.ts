/** @module Unit tests for control spec schemas and scope matching. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { controlSpecSchemas, scopeIncludes } from "./control-kinds";

test("an absent or empty scope list covers everything", () => {
  assert.ok(scopeIncludes(undefined, "BTC"));
  assert.ok(scopeIncludes([], "BTC"));
  assert.ok(scopeIncludes(["btc"], "BTC"));
  assert.not.ok(scopeIncludes(["ETH"], "BTC"));
});

test("specs are validated per kind", () => {
  assert.ok(controlSpecSchemas.WithdrawalHalt.safeParse({}).success);
  assert.ok(
    controlSpecSchemas.SymbolMode.safeParse({ symbol: "BTC-USD", mode: "CANCEL_ONLY" }).success,
  );
  assert.not.ok(
    controlSpecSchemas.SymbolMode.safeParse({ symbol: "BTC-USD", mode: "PAUSED" }).success,
  );
  assert.not.ok(controlSpecSchemas.ProviderDisable.safeParse({}).success);
});

test.run();
