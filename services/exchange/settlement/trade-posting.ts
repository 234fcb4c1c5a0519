/**
 * @module What a trade does to the ledger: the buyer's held quote pays the seller, the
 * seller's held base goes to the buyer. The engine held both when the orders rested, and
 * releases what is left of a hold itself, so settlement only moves held funds.
 */

import { canonicalJson } from "../../kit/canonical-json";
import type { TransactionInput } from "../../kit/ledger";
import { assetsOf, type TradeExecuted, tradeReference } from "./trade-executed";

/** The ledger `kind` of a trade's transaction. */
export const tradeTransactionKind = "exchange_trade";

/** A trader's available balances (one per asset). */
export function availableAccount(trader: string): string {
  return `exchange:${trader}`;
}

/** Funds of a trader held by resting orders. */
export function heldAccount(trader: string): string {
  return `exchange:${trader}:held`;
}

/** The trade as stored in the transaction's metadata, in one canonical form for comparison. */
export function tradeRecord(trade: TradeExecuted): string {
  return canonicalJson({
    ...trade,
    seq: trade.seq.toString(),
    fencingToken: trade.fencingToken.toString(),
  });
}

/** The ledger transaction that settles a trade. */
export function tradePosting(trade: TradeExecuted): TransactionInput {
  const { base, quote } = assetsOf(trade.symbol);
  return {
    kind: tradeTransactionKind,
    reference: tradeReference(trade.symbol, trade.seq),
    postings: [
      {
        source: heldAccount(trade.buyer.trader),
        target: availableAccount(trade.seller.trader),
        amount: BigInt(trade.quoteAmount),
        currency: quote,
      },
      {
        source: heldAccount(trade.seller.trader),
        target: availableAccount(trade.buyer.trader),
        amount: BigInt(trade.quantity),
        currency: base,
      },
    ],
    metadata: {
      symbol: trade.symbol,
      seq: trade.seq.toString(),
      trade: JSON.parse(tradeRecord(trade)),
    },
    // Trades move money between traders only: the outside world is never a party.
    externalAllowed: [],
  };
}
