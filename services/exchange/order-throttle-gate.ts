/**
 * @module OrderThrottle enforcement: new orders on a symbol limited to the rate of the
 * throttle in force (the slowest of those covering the symbol, the kind's rank). Which
 * throttle covers a symbol comes from the replica's in-memory controls; the count is the
 * kit's throttle counter in Redis, one budget per symbol shared by every replica, so the
 * rate holds for the exchange whatever its replica count and wherever the sequencer lease
 * moves. Cancels never pass through here. Fails closed: unknown controls or an unreachable
 * Redis refuse the order with 503.
 */
import type { Redis } from "ioredis";
import { orderThrottle } from "../../operators/crds/index";
import { throttleWindowSeconds } from "../../operators/crds/payout-throttle";
import { specOf } from "../kit/control-kinds";
import { type Controls, refuse } from "../kit/controls";
import type { Control } from "../kit/controls-store";
import { createThrottleCounter, retryAfterHeader } from "../kit/throttle-counter";
import { exchangeProblems } from "./problems";
import { inForceOnSymbol } from "./symbol-controls";

export const orderThrottleKind = orderThrottle.kind;

/** Admits or refuses one new order. */
export interface OrderThrottleGate {
  /**
   * Resolves when a new order on `symbol` may go on; throws the 429 (or 503) otherwise.
   * `counts`: whether this replica takes the order (its sequencer), so it uses up the budget;
   * the other replicas only refuse once the budget is spent, and a 503 costs nothing.
   */
  admit(symbol: string, counts: boolean): Promise<void>;
}

/** The OrderThrottle in force on `symbol`, or undefined. */
export function throttleInForce(controls: Controls, symbol: string): Control | undefined {
  return inForceOnSymbol(controls, orderThrottle, symbol);
}

/** The gate of one replica: throttles from `controls`, counts in `redis`. */
export function createOrderThrottleGate(controls: Controls, redis: Redis): OrderThrottleGate {
  const counter = createThrottleCounter(redis, "order-throttle");
  return {
    async admit(symbol, counts) {
      const throttle = throttleInForce(controls, symbol);
      if (throttle === undefined) return;
      const spec = specOf(orderThrottle.spec, throttle);
      const key = `exchange:${throttle.id}:${symbol}`;
      const limit = { rate: spec.rate, windowSeconds: throttleWindowSeconds[spec.per] };
      const waitMs = counts ? await counter.consume(key, limit) : await counter.peek(key, limit);
      if (waitMs !== undefined) throw ordersThrottled(throttle, symbol, spec, waitMs);
    },
  };
}

function ordersThrottled(
  throttle: Control,
  symbol: string,
  spec: { readonly rate: number; readonly per: string },
  retryAfterMs: number,
) {
  const title = `New orders on ${symbol} are throttled to ${spec.rate} per ${spec.per.toLowerCase()}`;
  return refuse(
    throttle,
    exchangeProblems.ordersThrottled,
    title,
    429,
    retryAfterHeader(retryAfterMs),
  );
}
