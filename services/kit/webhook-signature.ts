/**
 * @module Webhook signatures: an HMAC of the raw request body with a shared secret, sent as
 * lower-case hex in a header, compared in constant time so that the comparison leaks nothing
 * about the expected value. Payments' PSP signs with SHA-256 in `X-Webhook-Signature`; a
 * Paystack-style provider signs with SHA-512 in `X-Paystack-Signature`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Secrets } from "./admin-auth";

/** The header that carries payments' signature. */
export const webhookSignatureHeader = "x-webhook-signature";

/** The HMAC's hash: `sha256` (64 hex characters) or `sha512` (128). */
export type WebhookHmac = "sha256" | "sha512";

const hexLength: Readonly<Record<WebhookHmac, number>> = { sha256: 64, sha512: 128 };

/**
 * The signature of `rawBody`: what a sender puts in the signature header.
 * @default algorithm "sha256"
 * @example signWebhook("s3cret", '{"reference":"dep-1"}') // "5f1c…" (64 hex characters)
 */
export function signWebhook(
  secret: string,
  rawBody: string | Uint8Array,
  algorithm: WebhookHmac = "sha256",
): string {
  return createHmac(algorithm, secret).update(rawBody).digest("hex");
}

/**
 * Whether `signature` is the HMAC of exactly these bytes. A missing, malformed or wrong
 * signature is false; upper-case hex is accepted.
 * @default algorithm "sha256"
 */
export function verifyWebhookSignature(
  secret: Secrets,
  rawBody: string | Uint8Array,
  signature: string | undefined,
  algorithm: WebhookHmac = "sha256",
): boolean {
  const pattern = new RegExp(`^[0-9a-fA-F]{${hexLength[algorithm]}}$`);
  if (signature === undefined || !pattern.test(signature)) return false;
  const given = Buffer.from(signature, "hex");
  // While the secret rotates both values verify; each is checked, whichever matches.
  let matched = false;
  for (const value of typeof secret === "string" ? [secret] : secret) {
    const expected = createHmac(algorithm, value).update(rawBody).digest();
    if (timingSafeEqual(expected, given)) matched = true;
  }
  return matched;
}
