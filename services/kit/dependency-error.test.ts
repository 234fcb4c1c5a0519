/** @module Unit tests for recognising dependency outages. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dependencyUnavailable, isDependencyOutage } from "./dependency-error";

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

test("connection failures and dropped connections are outages", () => {
  assert.ok(isDependencyOutage(withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")));
  assert.ok(
    isDependencyOutage(withCode("terminating connection due to administrator command", "57P01")),
  );
  assert.ok(isDependencyOutage(withCode("connection failure", "08006")));
  assert.ok(isDependencyOutage(new Error("Connection terminated unexpectedly")));
  assert.ok(isDependencyOutage(new Error("Connection is closed.")));
  assert.ok(
    isDependencyOutage(new Error("Client has encountered a connection error and is not queryable")),
  );
  assert.ok(isDependencyOutage(withCode("sorry, too many clients already", "53300")));
});

test("the answer is 503 dependency/unavailable with Retry-After and the request id", () => {
  const answer = dependencyUnavailable("req-1");
  assert.is(answer.status, 503);
  assert.match(answer.details.type, /\/problems\/dependency\/unavailable$/);
  assert.is(answer.details.requestId, "req-1");
  assert.is(answer.headers["retry-after"], "2");
});

test("query errors and bugs are not", () => {
  assert.not.ok(isDependencyOutage(withCode("duplicate key value", "23505")));
  assert.not.ok(isDependencyOutage(new TypeError("x is undefined")));
  assert.not.ok(isDependencyOutage("ECONNREFUSED"));
  assert.not.ok(isDependencyOutage(withCode("syntax error at or near", "42601")));
});

test.run();
