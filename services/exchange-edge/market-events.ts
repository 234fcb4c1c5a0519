/**
 * @module The core's events the edge serves, as the exchange contract defines them:
 * `TradeExecuted` on `exchange.trades` and `BookChanged` on `exchange.book` (key = symbol).
 * Amounts are integer minor units as decimal strings.
 */
import { z } from "zod";

const minorUnits = z.string().regex(/^(0|[1-9][0-9]{0,30})$/, "expected integer minor units");
const seq = z.coerce.number().int().nonnegative();
const party = z.object({ trader: z.string(), orderId: z.string() });

export const tradeExecutedSchema = z.object({
  type: z.literal("TradeExecuted"),
  symbol: z.string().min(1),
  seq,
  price: minorUnits,
  quantity: minorUnits,
  quoteAmount: minorUnits,
  buyer: party,
  seller: party,
  takerSide: z.enum(["buy", "sell"]),
  executedAt: z.iso.datetime({ offset: true }),
});

export const bookChangedSchema = z.object({
  type: z.literal("BookChanged"),
  symbol: z.string().min(1),
  seq,
  side: z.enum(["buy", "sell"]),
  price: minorUnits,
  quantity: minorUnits,
});

export type TradeExecuted = z.infer<typeof tradeExecutedSchema>;
export type BookChanged = z.infer<typeof bookChangedSchema>;

/** What clients see of a trade: never who traded. */
export interface PublicTrade {
  readonly tradeSeq: number;
  readonly price: string;
  readonly quantity: string;
  readonly quoteAmount: string;
  readonly takerSide: "buy" | "sell";
  readonly executedAt: string;
}

export function publicTrade(trade: TradeExecuted): PublicTrade {
  return {
    tradeSeq: trade.seq,
    price: trade.price,
    quantity: trade.quantity,
    quoteAmount: trade.quoteAmount,
    takerSide: trade.takerSide,
    executedAt: trade.executedAt,
  };
}
