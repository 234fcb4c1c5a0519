/**
 * @module What the core publishes through the outbox: every trade to `exchange.trades` and
 * every price level change to `exchange.book`, keyed by symbol (so each symbol's events keep
 * their order), in the form the settlement and the edge read.
 */
import type { Tx } from "../kit/db";
import { enqueueEvent } from "../kit/outbox";
import type { SequencedCommand } from "./sequencer/sequencer";

export const tradesTopic = "exchange.trades";
export const bookTopic = "exchange.book";

/** Queues the trade and book events of a sequenced command in its transaction. */
export function publishMarketEvents(tx: Tx, sequenced: SequencedCommand): void {
  const { symbol, fencingToken } = sequenced;
  const executedAt = new Date().toISOString();
  for (const { seq, event } of sequenced.events) {
    if (event.type === "TradeExecuted") {
      enqueueEvent(tx, tradesTopic, symbol, {
        type: "TradeExecuted",
        symbol,
        seq: seq.toString(),
        fencingToken: fencingToken.toString(),
        price: event.price.toString(),
        quantity: event.quantity.toString(),
        quoteAmount: event.quoteAmount.toString(),
        buyer: event.buyer,
        seller: event.seller,
        takerSide: event.takerSide,
        executedAt,
      });
    } else if (event.type === "BookChanged") {
      enqueueEvent(tx, bookTopic, symbol, {
        type: "BookChanged",
        symbol,
        seq: seq.toString(),
        side: event.side,
        price: event.price.toString(),
        quantity: event.quantity.toString(),
      });
    }
  }
}
