/**
 * @module PayoutThrottle enforcement: payout creation per currency limited to the rate of the
 * throttle in force. Which throttle covers a payout comes from the replica's in-memory
 * controls; the count is shared by every replica in Redis (rate-limiter-flexible's atomic
 * counter), so the rate holds for the service whatever its replica count. Both fail closed:
 * unknown controls or an unreachable Redis refuse the payout with 503.
 */
import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { payoutThrottle, throttleWindowSeconds } from "../../operators/crds/payout-throttle";
import { rankOf, specOf } from "../kit/control-kinds";
import type { Controls } from "../kit/controls";
import { refuse } from "../kit/controls";
import type { Control } from "../kit/controls-store";
import { dependencyUnavailable } from "../kit/dependency-error";
import { paymentsProblems } from "./problems";
import { coversCurrency } from "./withdrawal-halt";

export const payoutThrottleKind = payoutThrottle.kind;

/** Admits or refuses the creation of one payout. */
export interface PayoutThrottleGate {
  /** Resolves when a payout in `currency` may be created now; throws the 429 or 503 otherwise. */
  admit(service: string, currency: string): Promise<void>;
}

/** The gate of one replica: throttles from `controls`, counts in `redis`. */
export function createPayoutThrottleGate(controls: Controls, redis: Redis): PayoutThrottleGate {
  const limiters = new Map<string, RateLimiterRedis>();
  const limiterFor = (points: number, duration: number) => {
    const key = `${points}/${duration}`;
    let limiter = limiters.get(key);
    if (limiter === undefined) {
      limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: "payout-throttle",
        points,
        duration,
        // Fail closed at once rather than queue behind a reconnecting client.
        rejectIfRedisNotReady: true,
      });
      limiters.set(key, limiter);
    }
    return limiter;
  };

  return {
    async admit(service, currency) {
      const throttle = controls.findBlocking(
        payoutThrottleKind,
        (control) => coversCurrency(payoutThrottle, control, service, currency),
        rankOf(payoutThrottle),
      );
      if (throttle === undefined) return;
      const spec = specOf(payoutThrottle.spec, throttle);
      const windowSeconds = throttleWindowSeconds[spec.per];
      if (spec.rate === 0) throw payoutsThrottled(throttle, windowSeconds * 1000);
      // A changed rate starts a new count: the key names the rate as well as the control.
      const key = `${service}:${throttle.id}:${spec.rate}/${spec.per}:${currency.toUpperCase()}`;
      try {
        await limiterFor(spec.rate, windowSeconds).consume(key);
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes)
          throw payoutsThrottled(throttle, outcome.msBeforeNext);
        throw dependencyUnavailable();
      }
    },
  };
}

/** The 429 problem for a payout over `throttle`'s rate, naming it and its ticket. */
export function payoutsThrottled(throttle: Control, retryAfterMs: number) {
  return refuse(throttle, paymentsProblems.payoutsThrottled, "Payout creation is throttled", 429, {
    "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  });
}
