/**
 * @module A deliberately simple order book for checking the engine: one list of resting
 * orders, and for every fill a full scan for the best price, then the earliest arrival.
 * Slow and obviously right; the property test compares the engine against it.
 */
import { quoteAmountOf, type SymbolSpec } from "../../services/exchange/engine/symbol-spec";
import type { NewOrder, Side } from "../../services/exchange/engine/types";

export interface ReferenceTrade {
  readonly price: bigint;
  readonly quantity: bigint;
  readonly quoteAmount: bigint;
  readonly buyOrderId: string;
  readonly sellOrderId: string;
}

export interface ReferenceOrder {
  readonly orderId: string;
  readonly side: Side;
  readonly price: bigint;
  remaining: bigint;
  readonly arrival: number;
}

export class ReferenceBook {
  readonly resting: ReferenceOrder[] = [];
  private arrivals = 0;

  constructor(private readonly spec: SymbolSpec) {}

  /** Trades of `order`, and what it left unfilled (rested when it is a limit order). */
  place(order: NewOrder): { trades: ReferenceTrade[]; unfilled: bigint } {
    const trades: ReferenceTrade[] = [];
    let remaining = order.quantity;
    let budget = order.quoteBudget;
    for (;;) {
      const maker = this.bestOpposite(order);
      if (maker === undefined || remaining === 0n) break;
      let quantity = remaining < maker.remaining ? remaining : maker.remaining;
      if (budget !== undefined) {
        const lotCost = quoteAmountOf(this.spec, maker.price, this.spec.lotSizeMinor);
        const lots = budget / lotCost;
        if (lots * this.spec.lotSizeMinor < quantity) quantity = lots * this.spec.lotSizeMinor;
        if (quantity === 0n) break;
      }
      const quoteAmount = quoteAmountOf(this.spec, maker.price, quantity);
      if (budget !== undefined) budget -= quoteAmount;
      maker.remaining -= quantity;
      remaining -= quantity;
      trades.push({
        price: maker.price,
        quantity,
        quoteAmount,
        buyOrderId: order.side === "buy" ? order.orderId : maker.orderId,
        sellOrderId: order.side === "buy" ? maker.orderId : order.orderId,
      });
      if (maker.remaining === 0n) this.resting.splice(this.resting.indexOf(maker), 1);
    }
    if (remaining > 0n && order.type === "limit" && order.price !== undefined)
      this.resting.push({
        orderId: order.orderId,
        side: order.side,
        price: order.price,
        remaining,
        arrival: this.arrivals++,
      });
    return { trades, unfilled: remaining };
  }

  /** The remaining quantity cancelled, or undefined for an order not on the book. */
  cancel(orderId: string): bigint | undefined {
    const index = this.resting.findIndex((order) => order.orderId === orderId);
    if (index < 0) return undefined;
    const [order] = this.resting.splice(index, 1);
    return order?.remaining;
  }

  /** Resting orders in book order: bids best first, then asks best first, time within price. */
  bookOrder(): ReferenceOrder[] {
    const bySide = (side: Side) =>
      this.resting
        .filter((order) => order.side === side)
        .sort((a, b) => {
          if (a.price !== b.price)
            return (side === "buy" ? a.price > b.price : a.price < b.price) ? -1 : 1;
          return a.arrival - b.arrival;
        });
    return [...bySide("buy"), ...bySide("sell")];
  }

  private bestOpposite(order: NewOrder): ReferenceOrder | undefined {
    let best: ReferenceOrder | undefined;
    for (const maker of this.resting) {
      if (maker.side === order.side || !crosses(order, maker.price)) continue;
      if (best === undefined || better(maker, best)) best = maker;
    }
    return best;
  }
}

function crosses(order: NewOrder, price: bigint): boolean {
  if (order.type === "market" || order.price === undefined) return true;
  return order.side === "buy" ? price <= order.price : price >= order.price;
}

function better(a: ReferenceOrder, b: ReferenceOrder): boolean {
  if (a.price !== b.price) return a.side === "sell" ? a.price < b.price : a.price > b.price;
  return a.arrival < b.arrival;
}
