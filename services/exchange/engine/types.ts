/**
 * @module The matching engine's vocabulary: orders as a symbol's sequencer hands them in and
 * the events the engine answers with. Prices are quote minor units per one whole base unit,
 * quantities base minor units, and `quoteAmount` the notional in quote minor units.
 */

export type Side = "buy" | "sell";
export type OrderType = "limit" | "market";

/** One trader and one of their orders, as a trade names each side. */
export interface TradeParty {
  readonly trader: string;
  readonly orderId: string;
}

/** A new order. A limit order carries a price; a market order never rests. */
export interface NewOrder {
  readonly orderId: string;
  readonly trader: string;
  readonly side: Side;
  readonly type: OrderType;
  /** Limit price (limit orders only). */
  readonly price?: bigint;
  readonly quantity: bigint;
  /**
   * Market buys only: the most quote this order may spend (what the trader's hold covers).
   * Matching stops before a fill would pass it.
   */
  readonly quoteBudget?: bigint;
}

/** An order on the book. `remaining` shrinks as it fills. */
export interface RestingOrder {
  readonly orderId: string;
  readonly trader: string;
  readonly side: Side;
  readonly price: bigint;
  readonly quantity: bigint;
  remaining: bigint;
  /** Arrival order on the book: time priority within a price. */
  readonly arrival: number;
}

export interface OrderAccepted {
  readonly type: "OrderAccepted";
  readonly order: NewOrder;
}

export interface TradeExecuted {
  readonly type: "TradeExecuted";
  readonly price: bigint;
  readonly quantity: bigint;
  readonly quoteAmount: bigint;
  readonly buyer: TradeParty;
  readonly seller: TradeParty;
  readonly takerSide: Side;
}

export interface OrderRested {
  readonly type: "OrderRested";
  readonly orderId: string;
  readonly side: Side;
  readonly price: bigint;
  readonly remaining: bigint;
}

/** Why an order left the book (or never reached it) with quantity unfilled. */
export type CancelReason = "cancelled" | "unfilled" | "cancel-all";

export interface OrderCancelled {
  readonly type: "OrderCancelled";
  readonly orderId: string;
  readonly trader: string;
  readonly side: Side;
  /** Its limit price; undefined for a market order. */
  readonly price: bigint | undefined;
  readonly remaining: bigint;
  readonly reason: CancelReason;
}

export interface OrderFilled {
  readonly type: "OrderFilled";
  readonly orderId: string;
}

/** A price level's new total; 0 means the level is gone. */
export interface BookChanged {
  readonly type: "BookChanged";
  readonly side: Side;
  readonly price: bigint;
  readonly quantity: bigint;
}

export interface CancelRejected {
  readonly type: "CancelRejected";
  readonly orderId: string;
  readonly reason: "unknown-order";
}

export type EngineEvent =
  | OrderAccepted
  | TradeExecuted
  | OrderRested
  | OrderCancelled
  | OrderFilled
  | BookChanged
  | CancelRejected;

/** One price level as a depth view shows it. */
export interface DepthLevel {
  readonly price: bigint;
  readonly quantity: bigint;
  readonly orders: number;
}

export interface Depth {
  /** Best (highest) first. */
  readonly bids: DepthLevel[];
  /** Best (lowest) first. */
  readonly asks: DepthLevel[];
}
