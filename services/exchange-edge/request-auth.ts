/**
 * @module Checking a signed order-entry request, in an order that never lets an unsigned
 * request spend anything: the headers, the key, the signature; then replay (a timestamp
 * outside the window, or a nonce seen before for that key — remembered in Redis for twice the
 * window); then the key's rate (a Redis counter shared by every replica). Every refusal is
 * problem+json and counted; Redis unreachable refuses with 503 (fail closed).
 */
import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { dependencyUnavailable } from "../kit/dependency-error";
import { kitProblems, problem } from "../kit/problem";
import type { ApiKey, ApiKeys } from "./api-keys";
import type { AuthFailReason, EdgeAuthMetrics } from "./edge-auth-metrics";
import { type SignedParts, signatureHeaders, signatureMatches } from "./request-signature";

export interface RequestAuthOptions {
  readonly keys: ApiKeys;
  readonly redis: Redis;
  readonly metrics: EdgeAuthMetrics;
  readonly windowSeconds: number;
  readonly requestsPerSecond: number;
}

export interface SignedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  header(name: string): string | undefined;
}

export function createRequestAuth(options: RequestAuthOptions) {
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: "edge-key-rate",
    points: options.requestsPerSecond,
    duration: 1,
    rejectIfRedisNotReady: true,
  });

  function refuse(reason: AuthFailReason, detail: string): never {
    options.metrics.authFailures.inc({ reason });
    throw problem({
      type: kitProblems.unauthorized,
      title: "Authentication required",
      status: 401,
      detail,
      extensions: { reason },
    });
  }

  function replay(reason: "stale_timestamp" | "reused_nonce", detail: string): never {
    options.metrics.replays.inc({ reason });
    throw problem({
      type: "auth/replay",
      title: "Replayed request",
      status: 401,
      detail,
      extensions: { reason },
    });
  }

  async function verify(request: SignedRequest): Promise<ApiKey> {
    const keyId = request.header(signatureHeaders.key);
    const timestamp = request.header(signatureHeaders.timestamp);
    const nonce = request.header(signatureHeaders.nonce);
    const signature = request.header(signatureHeaders.signature);
    if (!keyId || !timestamp || !nonce || !signature) {
      refuse("missing_headers", "send X-API-Key, X-Timestamp, X-Nonce and X-Signature");
    }
    if (!/^\d{1,15}$/.test(timestamp) || !/^[A-Za-z0-9_-]{8,64}$/.test(nonce)) {
      refuse(
        "malformed_headers",
        "X-Timestamp: Unix milliseconds; X-Nonce: 8-64 of A-Z a-z 0-9 _ -",
      );
    }
    const key = await options.keys.usable(keyId);
    if (!key) refuse("unknown_key", "X-API-Key: no such key, or it was revoked or has expired");
    const parts: SignedParts = {
      method: request.method,
      path: request.path,
      timestamp,
      nonce,
      body: request.body,
    };
    if (!signatureMatches(options.keys.secretOf(key.keyId), parts, signature)) {
      refuse(
        "bad_signature",
        "X-Signature: not the HMAC-SHA256 of method, path, timestamp, nonce and body",
      );
    }
    const skewMs = Math.abs(Date.now() - Number(timestamp));
    if (skewMs > options.windowSeconds * 1000) {
      replay(
        "stale_timestamp",
        `X-Timestamp: more than ${options.windowSeconds} s from the edge's clock`,
      );
    }
    await rememberNonce(key.keyId, nonce);
    return key;
  }

  async function rememberNonce(keyId: string, nonce: string): Promise<void> {
    let fresh: string | null;
    try {
      fresh = await options.redis.set(
        `edge:nonce:${keyId}:${nonce}`,
        "1",
        "PX",
        options.windowSeconds * 2000,
        "NX",
      );
    } catch {
      throw dependencyUnavailable();
    }
    if (fresh !== "OK") replay("reused_nonce", "X-Nonce: already used with this key");
  }

  /** Count one request against the key's rate; 429 with Retry-After past it. */
  async function admit(key: ApiKey): Promise<void> {
    try {
      await limiter.consume(key.keyId);
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) throw dependencyUnavailable();
      options.metrics.rateLimitDrops.inc({ key_id: key.keyId });
      throw problem({
        type: "orders/rate-limited",
        title: "Too many requests for this API key",
        status: 429,
        detail: `at most ${options.requestsPerSecond} requests per second per API key`,
        headers: { "retry-after": String(Math.max(1, Math.ceil(outcome.msBeforeNext / 1000))) },
      });
    }
  }

  return { verify, admit };
}
