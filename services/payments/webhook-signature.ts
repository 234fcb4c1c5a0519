/**
 * @module Webhook signatures: HMAC-SHA256 of the raw request body with the shared
 * `WEBHOOK_SECRET`, sent as lower-case hex in `X-Webhook-Signature`, compared in constant
 * time so that the comparison leaks nothing about the expected value.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Secrets } from "../kit/admin-auth";

/** The header that carries the signature. */
export const webhookSignatureHeader = "x-webhook-signature";

/**
 * The signature of `rawBody`: what a sender puts in `X-Webhook-Signature`.
 * @example signWebhook("s3cret", '{"reference":"dep-1"}') // "5f1c…" (64 hex characters)
 */
export function signWebhook(secret: string, rawBody: string | Uint8Array): string {
  return createHmac("sha256", secret).update(rawBody).digest("hex");
}

/**
 * Whether `signature` is the HMAC-SHA256 of exactly these bytes. A missing, malformed or
 * wrong signature is false; upper-case hex is accepted.
 */
export function verifyWebhookSignature(
  secret: Secrets,
  rawBody: string | Uint8Array,
  signature: string | undefined,
): boolean {
  if (signature === undefined || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const given = Buffer.from(signature, "hex");
  // While the secret rotates both values verify; each is checked, whichever matches.
  let matched = false;
  for (const value of typeof secret === "string" ? [secret] : secret) {
    const expected = createHmac("sha256", value).update(rawBody).digest();
    if (timingSafeEqual(expected, given)) matched = true;
  }
  return matched;
}
