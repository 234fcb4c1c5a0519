/** @module Unit tests of order-entry signatures: any changed part breaks it, and the format is the README's. */
import { createHmac } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { signatureMatches, signRequest } from "./request-signature";

const parts = {
  method: "POST",
  path: "/v1/orders",
  timestamp: "1767225600000",
  nonce: "nonce-0001",
  body: '{"a":1}',
};

test("the signature is HMAC-SHA256 of the parts joined by newlines, as a client computes it", () => {
  const expected = createHmac("sha256", "s3cret")
    .update('POST\n/v1/orders\n1767225600000\nnonce-0001\n{"a":1}')
    .digest("hex");
  assert.is(signRequest("s3cret", parts), expected);
  assert.ok(signatureMatches("s3cret", parts, expected.toUpperCase()));
});

test("a change to any part, another secret or a malformed signature does not match", () => {
  const signature = signRequest("s3cret", parts);
  for (const changed of [
    { ...parts, method: "DELETE" },
    { ...parts, path: "/v1/orders?x=1" },
    { ...parts, timestamp: "1767225600001" },
    { ...parts, nonce: "nonce-0002" },
    { ...parts, body: '{"a":2}' },
  ]) {
    assert.not.ok(signatureMatches("s3cret", changed, signature));
  }
  assert.not.ok(signatureMatches("other", parts, signature));
  assert.not.ok(signatureMatches("s3cret", parts, "abc"));
});

test.run();
