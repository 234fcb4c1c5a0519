/**
 * @module The "matching alone" part of the exchange benchmark: a stream of limit and market
 * orders (with cancels) around a mid price, fed straight into one symbol's in-memory engine on
 * this thread. The stream is built before the clock starts, so only matching is measured.
 */
import { MatchingEngine } from "../../services/exchange/engine/matching-engine";
import type { NewOrder } from "../../services/exchange/engine/types";
import { btcUsd } from "../exchange/symbols";

const benchSymbol = btcUsd;

type Step = { order: NewOrder } | { cancel: string };

/** A deterministic pseudo-random stream (xorshift), so every run matches the same orders. */
export function orderStream(count: number, seed = 42): Step[] {
  let state = seed;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  const steps: Step[] = [];
  for (let index = 0; index < count; index++) {
    if (index > 10 && next() < 0.2) {
      steps.push({ cancel: `o${Math.floor(next() * index)}` });
      continue;
    }
    const side = next() < 0.5 ? "buy" : "sell";
    const quantity = BigInt(1 + Math.floor(next() * 10)) * benchSymbol.lotSizeMinor;
    const orderId = `o${index}`;
    const trader = `t${index % 100}`;
    if (next() < 0.1) {
      steps.push({ order: { orderId, trader, side, type: "market", quantity } });
      continue;
    }
    // Within 50 ticks of 100,000.00 USD, leaning away from the mid so a book builds up.
    const offset = BigInt(Math.floor(next() * 50) - (side === "buy" ? 45 : 5));
    const price = (10_000n + offset) * benchSymbol.tickSizeMinor;
    steps.push({ order: { orderId, trader, side, type: "limit", price, quantity } });
  }
  return steps;
}

export interface MatchingResult {
  readonly orders: number;
  readonly trades: number;
  readonly ordersPerSecond: number;
}

/** Runs `count` steps through a fresh engine and returns orders (and cancels) per second. */
export function benchMatching(count: number): MatchingResult {
  const steps = orderStream(count);
  const engine = new MatchingEngine(benchSymbol);
  let trades = 0;
  const started = process.hrtime.bigint();
  for (const step of steps) {
    const events = "order" in step ? engine.place(step.order) : engine.cancel(step.cancel);
    for (const event of events) if (event.type === "TradeExecuted") trades += 1;
  }
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { orders: count, trades, ordersPerSecond: count / elapsedSeconds };
}
