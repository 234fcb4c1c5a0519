/**
 * @module The count behind a throttle control (PayoutThrottle, OrderThrottle): how many
 * requests a key took in its window, shared by every replica of a service in Redis
 * (rate-limiter-flexible's atomic counter), so a throttle's rate holds for the service
 * whatever its replica count. Fails closed: an unreachable Redis is a 503, never a pass.
 */
import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { dependencyUnavailable } from "./dependency-error";

/** A rate: `rate` requests per `windowSeconds`, the window starting with the first request. */
export interface ThrottleRate {
  readonly rate: number;
  readonly windowSeconds: number;
}

/** Counts requests per key against a rate. */
export interface ThrottleCounter {
  /** Counts one request under `key`: undefined when it is within the rate, else ms until the window frees. */
  consume(key: string, limit: ThrottleRate): Promise<number | undefined>;
  /** Like consume, without counting: whether a request under `key` would be over the rate now. */
  peek(key: string, limit: ThrottleRate): Promise<number | undefined>;
}

/** A counter in `redis` whose keys start with `keyPrefix` (one prefix per kind). */
export function createThrottleCounter(redis: Redis, keyPrefix: string): ThrottleCounter {
  const limiters = new Map<string, RateLimiterRedis>();
  const limiterFor = ({ rate, windowSeconds }: ThrottleRate) => {
    const name = `${rate}/${windowSeconds}`;
    let limiter = limiters.get(name);
    if (limiter === undefined) {
      limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix,
        points: rate,
        duration: windowSeconds,
        // Fail closed at once rather than queue behind a reconnecting client.
        rejectIfRedisNotReady: true,
      });
      limiters.set(name, limiter);
    }
    return limiter;
  };
  // A changed rate starts a new count: the stored key names the rate as well as `key`.
  const keyOf = (key: string, limit: ThrottleRate) => `${key}:${limit.rate}/${limit.windowSeconds}`;

  return {
    async consume(key, limit) {
      if (limit.rate === 0) return limit.windowSeconds * 1000;
      try {
        await limiterFor(limit).consume(keyOf(key, limit));
        return undefined;
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes) return outcome.msBeforeNext;
        throw dependencyUnavailable();
      }
    },
    async peek(key, limit) {
      if (limit.rate === 0) return limit.windowSeconds * 1000;
      let counted: RateLimiterRes | null;
      try {
        counted = await limiterFor(limit).get(keyOf(key, limit));
      } catch {
        throw dependencyUnavailable();
      }
      if (counted === null || counted.consumedPoints < limit.rate) return undefined;
      return counted.msBeforeNext;
    },
  };
}

/** The Retry-After header for a refusal `retryAfterMs` before the window frees (at least 1 s). */
export function retryAfterHeader(retryAfterMs: number): Record<string, string> {
  return { "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
}
