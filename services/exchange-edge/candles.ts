/**
 * @module Candles built from trades: one per interval window (1m and up), open/high/low/close
 * prices and base and quote volumes in minor units, keyed by the window's start.
 */
import type { TradeExecuted } from "./market-events";

/** The intervals served and their length. */
export const candleIntervalsMs = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "1h": 3_600_000,
  "1d": 86_400_000,
} as const;

export type CandleInterval = keyof typeof candleIntervalsMs;

export const candleIntervals = Object.keys(candleIntervalsMs) as CandleInterval[];

export interface Candle {
  readonly interval: CandleInterval;
  /** Start of the window, RFC 3339. */
  readonly openTime: string;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  /** Base minor units traded. */
  readonly volume: string;
  /** Quote minor units traded. */
  readonly quoteVolume: string;
  readonly trades: number;
}

/** The candles of one symbol and interval, newest last, at most `retained`. */
export class CandleSeries {
  readonly #candles: Candle[] = [];

  constructor(
    readonly interval: CandleInterval,
    private readonly retained: number,
  ) {}

  /** Add a trade; returns the candle it changed. */
  add(trade: TradeExecuted): Candle {
    const lengthMs = candleIntervalsMs[this.interval];
    const startMs = Math.floor(Date.parse(trade.executedAt) / lengthMs) * lengthMs;
    const openTime = new Date(startMs).toISOString();
    const index = this.#candles.findLastIndex((candle) => candle.openTime === openTime);
    const existing = index === -1 ? undefined : this.#candles[index];
    const candle = existing ? merge(existing, trade) : first(this.interval, openTime, trade);
    if (index !== -1) this.#candles[index] = candle;
    else this.#insert(candle);
    return candle;
  }

  recent(count: number): Candle[] {
    return this.#candles.slice(-count);
  }

  #insert(candle: Candle): void {
    this.#candles.push(candle);
    this.#candles.sort((a, b) => (a.openTime < b.openTime ? -1 : a.openTime > b.openTime ? 1 : 0));
    if (this.#candles.length > this.retained) this.#candles.shift();
  }
}

function first(interval: CandleInterval, openTime: string, trade: TradeExecuted): Candle {
  return {
    interval,
    openTime,
    open: trade.price,
    high: trade.price,
    low: trade.price,
    close: trade.price,
    volume: trade.quantity,
    quoteVolume: trade.quoteAmount,
    trades: 1,
  };
}

function merge(candle: Candle, trade: TradeExecuted): Candle {
  const price = BigInt(trade.price);
  return {
    ...candle,
    high: price > BigInt(candle.high) ? trade.price : candle.high,
    low: price < BigInt(candle.low) ? trade.price : candle.low,
    close: trade.price,
    volume: (BigInt(candle.volume) + BigInt(trade.quantity)).toString(),
    quoteVolume: (BigInt(candle.quoteVolume) + BigInt(trade.quoteAmount)).toString(),
    trades: candle.trades + 1,
  };
}
