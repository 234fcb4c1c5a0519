/** @module Unit tests for request id acceptance. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { requestIdFrom } from "./request-id";

test("a sane incoming id is kept, anything else replaced by a UUID", () => {
  assert.is(requestIdFrom("abc-123"), "abc-123");
  assert.match(requestIdFrom(undefined), /^[0-9a-f-]{36}$/);
  assert.match(requestIdFrom("has space"), /^[0-9a-f-]{36}$/);
  assert.match(requestIdFrom("x".repeat(200)), /^[0-9a-f-]{36}$/);
});

test.run();
