/** @module Unit tests for problem+json building. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { problem, problemResponse, problemType, problemTypeBase } from "./problem";

test("a slug becomes an absolute type URI and absolute URIs pass through", () => {
  assert.is(problemType("withdrawals/halted"), `${problemTypeBase}withdrawals/halted`);
  assert.is(problemType("urn:example:x"), "urn:example:x");
  assert.is(problemType("https://example.com/p"), "https://example.com/p");
});

test("extension members cannot overwrite the standard members", () => {
  const error = problem({
    type: "x/y",
    title: "T",
    status: 423,
    extensions: { status: 200, control: "c1", ticket: "INC-1" },
  });
  assert.is(error.details.status, 423);
  assert.is(error.details.control, "c1");
  assert.is(error.status, 423);
});

test("the response is application/problem+json with the status and extra headers", async () => {
  const response = problemResponse({
    type: "idempotency/in-progress",
    title: "Busy",
    status: 409,
    headers: { "retry-after": "1" },
  });
  assert.is(response.status, 409);
  assert.is(response.headers.get("content-type"), "application/problem+json");
  assert.is(response.headers.get("retry-after"), "1");
  const body = (await response.json()) as { type: string; title: string };
  assert.is(body.type, `${problemTypeBase}idempotency/in-progress`);
  assert.is(body.title, "Busy");
});

test.run();
