/**
 * @module The `TradeExecuted` event as the engine publishes it to `exchange.trades` (key =
 * symbol), parsed strictly: settlement moves money from it, so a malformed event is refused
 * with the field named, never guessed at.
 */
import { z } from "zod";
import { amountSchema } from "../../kit/ledger";

/** The topic the engine's outbox publishes trades to. */
export const tradesTopic = "exchange.trades";

/** A symbol is `BASE-QUOTE`; each part is the ledger currency of that asset. */
const symbolPattern = /^([A-Z][A-Z0-9]{2,9})-([A-Z][A-Z0-9]{2,9})$/;

/** A sequence number or fencing token: a non-negative integer, as a JSON number or string. */
const counterSchema = z
  .union([z.string().regex(/^(0|[1-9][0-9]{0,18})$/), z.int().min(0)])
  .transform((value) => BigInt(value));

/** A trader id: the `<id>` of the ledger accounts `exchange:<id>` and `exchange:<id>:held`. */
const traderSchema = z.string().regex(/^[a-z0-9_-]{1,100}$/, "expected a trader id like t-42");

const partySchema = z.object({ trader: traderSchema, orderId: z.string().min(1).max(200) });

export const tradeExecutedSchema = z.object({
  type: z.literal("TradeExecuted"),
  symbol: z.string().regex(symbolPattern, "expected a symbol BASE-QUOTE, e.g. BTC-USD"),
  seq: counterSchema,
  fencingToken: counterSchema,
  price: amountSchema,
  quantity: amountSchema,
  quoteAmount: amountSchema,
  buyer: partySchema,
  seller: partySchema,
  takerSide: z.enum(["buy", "sell"]),
  executedAt: z.iso.datetime({ offset: true }),
});

export type TradeExecuted = z.infer<typeof tradeExecutedSchema>;

/** An event that is not a valid `TradeExecuted`: the message names the first bad field. */
export class InvalidTradeError extends Error {
  constructor(readonly detail: string) {
    super(`invalid TradeExecuted: ${detail}`);
    this.name = "InvalidTradeError";
  }
}

/** Parse a `TradeExecuted` payload or throw {@link InvalidTradeError} naming the field. */
export function parseTradeExecuted(payload: unknown): TradeExecuted {
  const result = tradeExecutedSchema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new InvalidTradeError(`${issue.path.join(".") || "(event)"}: ${issue.message}`);
}

/** The base and quote assets of a symbol, e.g. BTC-USD → { base: "BTC", quote: "USD" }. */
export function assetsOf(symbol: string): { base: string; quote: string } {
  const match = symbolPattern.exec(symbol);
  if (match === null) throw new InvalidTradeError(`symbol: ${symbol} is not BASE-QUOTE`);
  return { base: match[1]!, quote: match[2]! };
}

/** The ledger reference of a trade: one posting per (symbol, seq), whatever the replays. */
export function tradeReference(symbol: string, seq: bigint): string {
  return `exchange-trade:${symbol}:${seq}`;
}
