/**
 * @module Funds held for orders on the kit's ledger. An order is accepted only once what it
 * may spend moved from `exchange:<trader>` to `exchange:<trader>:held` (a buy: its notional
 * in quote, or a market buy's budget; a sell: its quantity in base). Trades are settled from
 * the held account by the settlement consumer; what a trade does not take comes back here:
 * price improvement, cancels, expiry and the unspent part of a market buy.
 */
import type { Tx } from "../kit/db";
import { postTransaction } from "../kit/ledger/ledger";
import type { Posting } from "../kit/ledger/ledger-posting";
import { quoteAmountOf, type SymbolSpec } from "./engine/symbol-spec";
import type { NewOrder } from "./engine/types";
import type { SequencedCommand } from "./sequencer/sequencer";

/** The ledger account of a trader's available balances. */
export function availableAccount(trader: string): string {
  return `exchange:${trader}`;
}

/** The ledger account of a trader's funds held by open orders. */
export function heldAccount(trader: string): string {
  return `exchange:${trader}:held`;
}

/** What accepting `order` holds, in which asset. */
export function holdOf(spec: SymbolSpec, order: NewOrder): { asset: string; amount: bigint } {
  if (order.side === "sell") return { asset: spec.base, amount: order.quantity };
  if (order.type === "market") return { asset: spec.quote, amount: order.quoteBudget ?? 0n };
  return { asset: spec.quote, amount: quoteAmountOf(spec, order.price ?? 0n, order.quantity) };
}

/** Moves `order`'s hold to the held account; InsufficientFundsError refuses the order. */
export async function placeHold(tx: Tx, spec: SymbolSpec, order: NewOrder): Promise<void> {
  const { asset, amount } = holdOf(spec, order);
  await moveWithin(tx, "exchange_hold", `exchange-hold:${order.orderId}`, {
    source: availableAccount(order.trader),
    target: heldAccount(order.trader),
    currency: asset,
    amount,
  });
}

/** One posting between a trader's own two accounts (never an external one). */
async function moveWithin(
  tx: Tx,
  kind: string,
  reference: string,
  posting: Posting,
  metadata?: Record<string, unknown>,
): Promise<void> {
  await postTransaction(tx, {
    kind,
    reference,
    postings: [posting],
    metadata,
    externalAllowed: [],
  });
}

/** A part of a hold that goes back to the trader's available balance. */
export interface HoldRelease {
  readonly trader: string;
  readonly orderId: string;
  readonly asset: string;
  readonly amount: bigint;
  /** The seq of the event that freed it: one release per event. */
  readonly seq: bigint;
}

/** Every release a sequenced command causes. */
export function releasesOf(spec: SymbolSpec, sequenced: SequencedCommand): HoldRelease[] {
  const taker = sequenced.command.type === "place" ? sequenced.command.order : undefined;
  const releases: HoldRelease[] = [];
  let takerSpent = 0n;
  for (const { seq, event } of sequenced.events) {
    if (
      event.type === "TradeExecuted" &&
      taker !== undefined &&
      event.buyer.orderId === taker.orderId
    ) {
      takerSpent += event.quoteAmount;
      // A buy limit pays the maker's price; the rest of its notional at its own price is freed.
      if (taker.type === "limit" && taker.price !== undefined && taker.price > event.price) {
        const amount = quoteAmountOf(spec, taker.price - event.price, event.quantity);
        releases.push({
          trader: taker.trader,
          orderId: taker.orderId,
          asset: spec.quote,
          amount,
          seq,
        });
      }
    }
    const ended = event.type === "OrderFilled" || event.type === "OrderCancelled";
    if (
      ended &&
      taker?.type === "market" &&
      taker.side === "buy" &&
      event.orderId === taker.orderId
    ) {
      const amount = (taker.quoteBudget ?? 0n) - takerSpent;
      releases.push({
        trader: taker.trader,
        orderId: taker.orderId,
        asset: spec.quote,
        amount,
        seq,
      });
    } else if (event.type === "OrderCancelled") {
      const buy = event.side === "buy";
      releases.push({
        trader: event.trader,
        orderId: event.orderId,
        asset: buy ? spec.quote : spec.base,
        amount: buy ? quoteAmountOf(spec, event.price ?? 0n, event.remaining) : event.remaining,
        seq,
      });
    }
  }
  return releases.filter((release) => release.amount > 0n);
}

/** Posts `release` (reference `exchange-release:<symbol>:<seq>`, once per event). */
export async function postRelease(tx: Tx, symbol: string, release: HoldRelease): Promise<void> {
  const posting = {
    source: heldAccount(release.trader),
    target: availableAccount(release.trader),
    currency: release.asset,
    amount: release.amount,
  };
  await moveWithin(tx, "exchange_release", `exchange-release:${symbol}:${release.seq}`, posting, {
    orderId: release.orderId,
  });
}
