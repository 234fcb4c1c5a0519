/** @module Unit tests for canonical JSON. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { canonicalJson } from "./canonical-json";

test("keys are sorted at every depth and undefined members dropped", () => {
  assert.is(
    canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } }),
    '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
  );
});

test("the same value in another key order gives the same text", () => {
  assert.is(canonicalJson({ x: 1, y: "2" }), canonicalJson({ y: "2", x: 1 }));
  assert.is(canonicalJson(null), "null");
  assert.is(canonicalJson(undefined), "null");
});

test.run();
