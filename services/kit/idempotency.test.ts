/** @module Unit tests for what the idempotency middleware keeps and how it tells requests apart. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { isStoredStatus, requestHash } from "./idempotency";

test("results are kept except server errors and transient refusals", () => {
  for (const status of [200, 201, 204, 302, 400, 404, 422])
    assert.ok(isStoredStatus(status), String(status));
  for (const status of [401, 403, 408, 409, 423, 425, 429, 500, 503]) {
    assert.not.ok(isStoredStatus(status), String(status));
  }
});

test("the request hash covers method, route and body bytes", () => {
  const body = new TextEncoder().encode('{"a":1}');
  const hash = requestHash("POST", "/v1/things", body);
  assert.is(requestHash("POST", "/v1/things", new TextEncoder().encode('{"a":1}')), hash);
  assert.is.not(requestHash("POST", "/v1/things", new TextEncoder().encode('{"a":2}')), hash);
  assert.is.not(requestHash("PUT", "/v1/things", body), hash);
  assert.is.not(requestHash("POST", "/v1/other", body), hash);
});

test.run();
