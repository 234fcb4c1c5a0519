/** @module Tests for webhook signatures. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { signWebhook, verifyWebhookSignature } from "./webhook-signature";

const secret = "whsec-test";
const body = '{"reference":"dep-1","account":"users:1:wallet","amount":"100","currency":"USD"}';

test("a signature made with the secret verifies, in either hex case", () => {
  const signature = signWebhook(secret, body);
  assert.match(signature, /^[0-9a-f]{64}$/);
  assert.ok(verifyWebhookSignature(secret, body, signature));
  assert.ok(verifyWebhookSignature(secret, body, signature.toUpperCase()));
  assert.ok(verifyWebhookSignature(secret, Buffer.from(body), signature));
});

test("a changed body, another secret, or a malformed header does not verify", () => {
  const signature = signWebhook(secret, body);
  assert.not.ok(verifyWebhookSignature(secret, `${body} `, signature));
  assert.not.ok(verifyWebhookSignature("other", body, signature));
  assert.not.ok(verifyWebhookSignature(secret, body, undefined));
  assert.not.ok(verifyWebhookSignature(secret, body, ""));
  assert.not.ok(verifyWebhookSignature(secret, body, signature.slice(2)));
  assert.not.ok(verifyWebhookSignature(secret, body, `sha256=${signature}`));
  assert.not.ok(verifyWebhookSignature(secret, body, "z".repeat(64)));
});

test("SHA-512 signatures (the Paystack style) verify only as SHA-512", () => {
  const signature = signWebhook(secret, body, "sha512");
  assert.match(signature, /^[0-9a-f]{128}$/);
  assert.ok(verifyWebhookSignature(secret, body, signature, "sha512"));
  assert.not.ok(verifyWebhookSignature(secret, body, signature));
  assert.not.ok(verifyWebhookSignature(secret, body, signWebhook(secret, body), "sha512"));
  assert.not.ok(verifyWebhookSignature("other", body, signature, "sha512"));
});

test.run();
