/**
 * @module The signature of an order-entry request: lower-case hex HMAC-SHA256, under the
 * key's secret, of `METHOD\npath?query\ntimestamp\nnonce\nbody` (timestamp in Unix
 * milliseconds, the body byte for byte), sent with `X-API-Key`, `X-Timestamp`, `X-Nonce` and
 * `X-Signature`. Compared in constant time.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface SignedParts {
  readonly method: string;
  /** Path with its query string, as sent. */
  readonly path: string;
  readonly timestamp: string;
  readonly nonce: string;
  readonly body: string;
}

export const signatureHeaders = {
  key: "x-api-key",
  timestamp: "x-timestamp",
  nonce: "x-nonce",
  signature: "x-signature",
} as const;

function canonical(parts: SignedParts): string {
  return [parts.method.toUpperCase(), parts.path, parts.timestamp, parts.nonce, parts.body].join(
    "\n",
  );
}

/**
 * What a client puts in `X-Signature`.
 * @example signRequest(secret, { method: "POST", path: "/v1/orders", timestamp: "1767225600000", nonce: "n-1", body: "{}" })
 */
export function signRequest(secret: string, parts: SignedParts): string {
  return createHmac("sha256", secret).update(canonical(parts)).digest("hex");
}

export function signatureMatches(secret: string, parts: SignedParts, signature: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = createHmac("sha256", secret).update(canonical(parts)).digest();
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}
