/**
 * @module The matching engine of one symbol, in memory: price-time priority, limit and market
 * orders. It is deterministic (same commands, same events), which is what lets a sequencer
 * rebuild it from its log. It checks nothing about money: the caller has held the funds.
 */
import { BookSide } from "./book-side";
import type { PriceLevel } from "./price-level";
import { quoteAmountOf, type SymbolSpec } from "./symbol-spec";
import type {
  CancelReason,
  Depth,
  EngineEvent,
  NewOrder,
  RestingOrder,
  Side,
  TradeExecuted,
} from "./types";

export class MatchingEngine {
  readonly spec: SymbolSpec;
  private readonly bids = new BookSide("buy");
  private readonly asks = new BookSide("sell");
  private readonly orders = new Map<string, RestingOrder>();
  private arrivals = 0;

  constructor(spec: SymbolSpec) {
    this.spec = spec;
  }

  /** Matches `order` against the book and rests what is left of a limit order. */
  place(order: NewOrder): EngineEvent[] {
    const events: EngineEvent[] = [{ type: "OrderAccepted", order }];
    const remaining = this.match(order, events);
    if (remaining === 0n) events.push({ type: "OrderFilled", orderId: order.orderId });
    else if (order.type === "limit" && order.price !== undefined)
      this.rest(order, order.price, remaining, events);
    else events.push(cancelled(order, remaining, "unfilled"));
    return events;
  }

  /** Takes a resting order off the book. */
  cancel(orderId: string, reason: CancelReason = "cancelled"): EngineEvent[] {
    const order = this.orders.get(orderId);
    if (order === undefined) return [{ type: "CancelRejected", orderId, reason: "unknown-order" }];
    const remaining = order.remaining;
    const side = this.sideOf(order.side);
    const level = side.level(order.price) as PriceLevel;
    level.remove(order);
    side.dropIfEmpty(level);
    this.orders.delete(orderId);
    return [
      { type: "BookChanged", side: order.side, price: order.price, quantity: level.total },
      cancelled(order, remaining, reason),
    ];
  }

  /** Cancels every resting order, in the order they reached the book. */
  cancelAll(): EngineEvent[] {
    return [...this.orders.keys()].flatMap((orderId) => this.cancel(orderId, "cancel-all"));
  }

  /** A resting order, or undefined once it is filled or cancelled. */
  restingOrder(orderId: string): Readonly<RestingOrder> | undefined {
    return this.orders.get(orderId);
  }

  /** Every resting order, in book order (bids best first, then asks best first). */
  restingOrders(): Readonly<RestingOrder>[] {
    return [this.bids, this.asks].flatMap((side) =>
      side.bestFirst().flatMap((level) => level.orders()),
    );
  }

  /** Up to `levels` price levels per side, best first. */
  depth(levels = Number.POSITIVE_INFINITY): Depth {
    const view = (side: BookSide) =>
      side
        .bestFirst()
        .slice(0, levels)
        .map((level) => ({ price: level.price, quantity: level.total, orders: level.count }));
    return { bids: view(this.bids), asks: view(this.asks) };
  }

  private sideOf(side: Side): BookSide {
    return side === "buy" ? this.bids : this.asks;
  }

  /** Fills `order` against the opposite side; returns the quantity left unfilled. */
  private match(order: NewOrder, events: EngineEvent[]): bigint {
    const opposite = order.side === "buy" ? this.asks : this.bids;
    let remaining = order.quantity;
    let budget = order.quoteBudget;
    while (remaining > 0n) {
      const level = opposite.best();
      if (level === undefined || !this.crosses(order, level.price)) break;
      let quantity = remaining;
      if (budget !== undefined) quantity = this.affordable(quantity, level.price, budget);
      if (quantity === 0n) break;
      const taken = this.take(order, level, quantity, events);
      remaining -= taken.quantity;
      if (budget !== undefined) budget -= taken.quoteAmount;
      events.push({
        type: "BookChanged",
        side: opposite.side,
        price: level.price,
        quantity: level.total,
      });
      opposite.dropIfEmpty(level);
    }
    return remaining;
  }

  /** Fills up to `quantity` at one level, oldest first; returns what was taken in total. */
  private take(order: NewOrder, level: PriceLevel, quantity: bigint, events: EngineEvent[]) {
    let quantityTaken = 0n;
    let quoteTaken = 0n;
    let maker = level.first();
    while (maker !== undefined && quantityTaken < quantity) {
      const fill = min(quantity - quantityTaken, maker.remaining);
      const trade = this.trade(order, maker, fill);
      level.filled(maker, fill);
      events.push(trade);
      if (maker.remaining === 0n) {
        this.orders.delete(maker.orderId);
        events.push({ type: "OrderFilled", orderId: maker.orderId });
      }
      quantityTaken += fill;
      quoteTaken += trade.quoteAmount;
      maker = level.first();
    }
    return { quantity: quantityTaken, quoteAmount: quoteTaken };
  }

  private trade(taker: NewOrder, maker: RestingOrder, quantity: bigint): TradeExecuted {
    const takerParty = { trader: taker.trader, orderId: taker.orderId };
    const makerParty = { trader: maker.trader, orderId: maker.orderId };
    const buy = taker.side === "buy";
    return {
      type: "TradeExecuted",
      price: maker.price,
      quantity,
      quoteAmount: quoteAmountOf(this.spec, maker.price, quantity),
      buyer: buy ? takerParty : makerParty,
      seller: buy ? makerParty : takerParty,
      takerSide: taker.side,
    };
  }

  private crosses(order: NewOrder, price: bigint): boolean {
    if (order.type === "market" || order.price === undefined) return true;
    return order.side === "buy" ? price <= order.price : price >= order.price;
  }

  /** The most of `quantity`, in whole lots, that `budget` buys at `price`. */
  private affordable(quantity: bigint, price: bigint, budget: bigint): bigint {
    const lot = this.spec.lotSizeMinor;
    const lotCost = quoteAmountOf(this.spec, price, lot);
    if (lotCost === 0n) return quantity;
    return min(quantity, (budget / lotCost) * lot);
  }

  private rest(order: NewOrder, price: bigint, remaining: bigint, events: EngineEvent[]): void {
    const resting: RestingOrder = {
      orderId: order.orderId,
      trader: order.trader,
      side: order.side,
      price,
      quantity: order.quantity,
      remaining,
      arrival: this.arrivals++,
    };
    const level = this.sideOf(order.side).levelFor(price);
    level.push(resting);
    this.orders.set(order.orderId, resting);
    events.push({
      type: "OrderRested",
      orderId: order.orderId,
      side: order.side,
      price,
      remaining,
    });
    events.push({ type: "BookChanged", side: order.side, price, quantity: level.total });
  }
}

function cancelled(
  order: { orderId: string; trader: string; side: Side; price?: bigint },
  remaining: bigint,
  reason: CancelReason,
): EngineEvent {
  return {
    type: "OrderCancelled",
    orderId: order.orderId,
    trader: order.trader,
    side: order.side,
    price: order.price,
    remaining,
    reason,
  };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
