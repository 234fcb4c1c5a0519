/** @module Unit tests for control spec schemas and scope matching. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { providerDisable, symbolMode, withdrawalHalt } from "../../operators/crds/index";
import { scopeIncludes } from "./control-kinds";

test("an absent or empty scope list covers everything", () => {
  assert.ok(scopeIncludes(undefined, "BTC"));
  assert.ok(scopeIncludes([], "BTC"));
  assert.ok(scopeIncludes(["btc"], "BTC"));
  assert.not.ok(scopeIncludes(["ETH"], "BTC"));
});

test("specs are validated per kind", () => {
  assert.ok(withdrawalHalt.spec.safeParse({}).success);
  assert.ok(symbolMode.spec.safeParse({ symbol: "BTC-USD", mode: "CANCEL_ONLY" }).success);
  assert.not.ok(symbolMode.spec.safeParse({ symbol: "BTC-USD", mode: "PAUSED" }).success);
  assert.not.ok(providerDisable.spec.safeParse({}).success);
});

test.run();
