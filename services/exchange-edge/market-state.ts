/**
 * @module What the edge knows of each symbol's market, rebuilt from the core's events: the
 * book, the recent trades and the candles. Kafka delivers at least once and in order per
 * symbol (key = symbol), so an event whose engine seq is not past the last one applied is a
 * repeat and is skipped.
 */
import { type Candle, type CandleInterval, CandleSeries, candleIntervals } from "./candles";
import {
  type BookChanged,
  type PublicTrade,
  publicTrade,
  type TradeExecuted,
} from "./market-events";
import { OrderBook } from "./order-book";

/** One symbol's market. `bookVersion` grows with every applied book change. */
export class SymbolMarket {
  readonly book = new OrderBook();
  readonly candles: ReadonlyMap<CandleInterval, CandleSeries>;
  bookVersion = 0;
  #lastTradeSeq = -1;
  #lastBookSeq = -1;
  readonly #trades: PublicTrade[] = [];

  constructor(
    readonly symbol: string,
    private readonly tradesRetained: number,
    candlesRetained: number,
  ) {
    this.candles = new Map(
      candleIntervals.map((interval) => [interval, new CandleSeries(interval, candlesRetained)]),
    );
  }

  /** Apply a trade; undefined when it was a repeat, else the public trade and changed candles. */
  applyTrade(trade: TradeExecuted): { trade: PublicTrade; candles: Candle[] } | undefined {
    if (trade.seq <= this.#lastTradeSeq) return undefined;
    this.#lastTradeSeq = trade.seq;
    const shown = publicTrade(trade);
    this.#trades.push(shown);
    if (this.#trades.length > this.tradesRetained) this.#trades.shift();
    const candles = [...this.candles.values()].map((series) => series.add(trade));
    return { trade: shown, candles };
  }

  /** Apply a book change; false when it was a repeat. */
  applyBook(change: BookChanged): boolean {
    if (change.seq <= this.#lastBookSeq) return false;
    this.#lastBookSeq = change.seq;
    this.book.apply(change.side, change.price, change.quantity);
    this.bookVersion += 1;
    return true;
  }

  recentTrades(count: number): PublicTrade[] {
    return this.#trades.slice(-count);
  }
}

/** Every served symbol's market. */
export class MarketState {
  readonly #symbols = new Map<string, SymbolMarket>();

  constructor(symbols: readonly string[], tradesRetained: number, candlesRetained: number) {
    for (const symbol of symbols) {
      this.#symbols.set(symbol, new SymbolMarket(symbol, tradesRetained, candlesRetained));
    }
  }

  get(symbol: string): SymbolMarket | undefined {
    return this.#symbols.get(symbol);
  }

  symbols(): string[] {
    return [...this.#symbols.keys()];
  }
}
