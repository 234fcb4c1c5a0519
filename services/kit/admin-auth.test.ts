/** @module Unit tests for admin token parsing and comparison. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bearerToken, tokensMatch } from "./admin-auth";

test("bearer tokens are parsed case-insensitively and strictly", () => {
  assert.is(bearerToken("Bearer abc"), "abc");
  assert.is(bearerToken("bearer abc"), "abc");
  assert.is(bearerToken("Basic abc"), undefined);
  assert.is(bearerToken(undefined), undefined);
  assert.is(bearerToken("Bearer a b"), undefined);
});

test("tokens of any length compare without throwing", () => {
  assert.ok(tokensMatch("0123456789abcdef", "0123456789abcdef"));
  assert.not.ok(tokensMatch("short", "0123456789abcdef"));
  assert.not.ok(tokensMatch("", "0123456789abcdef"));
});

test("during a rotation either value matches, and nothing else does", () => {
  const rotating = ["current-token-0123456789", "next-token-0123456789ab"];
  assert.ok(tokensMatch("current-token-0123456789", rotating));
  assert.ok(tokensMatch("next-token-0123456789ab", rotating));
  assert.not.ok(tokensMatch("other-token-0123456789a", rotating));
  assert.not.ok(tokensMatch("current-token-0123456789", []), "an empty list admits nobody");
});

test.run();
