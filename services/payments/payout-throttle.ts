/**
 * @module PayoutThrottle enforcement: payout creation per currency limited to the rate of the
 * throttle in force. Which throttle covers a payout comes from the replica's in-memory
 * controls; the count is the kit's throttle counter, shared by every replica in Redis, so the
 * rate holds for the service whatever its replica count. Both fail closed: unknown controls
 * or an unreachable Redis refuse the payout with 503.
 */
import type { Redis } from "ioredis";
import { payoutThrottle, throttleWindowSeconds } from "../../operators/crds/payout-throttle";
import { rankOf, specOf } from "../kit/control-kinds";
import type { Controls } from "../kit/controls";
import { refuse } from "../kit/controls";
import type { Control } from "../kit/controls-store";
import { createThrottleCounter, retryAfterHeader } from "../kit/throttle-counter";
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
  const counter = createThrottleCounter(redis, "payout-throttle");
  return {
    async admit(service, currency) {
      const throttle = controls.findBlocking(
        payoutThrottleKind,
        (control) => coversCurrency(payoutThrottle, control, service, currency),
        rankOf(payoutThrottle),
      );
      if (throttle === undefined) return;
      const spec = specOf(payoutThrottle.spec, throttle);
      const key = `${service}:${throttle.id}:${currency.toUpperCase()}`;
      const limit = { rate: spec.rate, windowSeconds: throttleWindowSeconds[spec.per] };
      const waitMs = await counter.consume(key, limit);
      if (waitMs !== undefined) throw payoutsThrottled(throttle, waitMs);
    },
  };
}

/** The 429 problem for a payout over `throttle`'s rate, naming it and its ticket. */
export function payoutsThrottled(throttle: Control, retryAfterMs: number) {
  return refuse(
    throttle,
    paymentsProblems.payoutsThrottled,
    "Payout creation is throttled",
    429,
    retryAfterHeader(retryAfterMs),
  );
}
