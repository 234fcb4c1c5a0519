/**
 * @module What a client may send on `/ws`, one JSON object per message:
 * `{"op":"subscribe","channel":"trades"|"book"|"candles","symbol":"BTC-USD","depth"?:20,
 * "interval"?:"1m","id"?:"any"}` and the same with `"op":"unsubscribe"`. A refusal is
 * `{"type":"error","code","message","id"}` naming the field.
 */
import { z } from "zod";
import { candleIntervals } from "./candles";

export const clientMessageSchema = z
  .object({
    op: z.enum(["subscribe", "unsubscribe"]),
    channel: z.enum(["trades", "book", "candles"]),
    symbol: z.string().min(1).max(32),
    depth: z.int().min(1).max(1000).optional(),
    interval: z.enum(candleIntervals as [string, ...string[]]).optional(),
    id: z.union([z.string().max(64), z.number()]).optional(),
  })
  .strict()
  .refine((message) => message.channel !== "candles" || message.interval !== undefined, {
    message: "candles need an interval: 1m, 5m, 15m, 1h or 1d",
    path: ["interval"],
  });

export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** The subscription key of a message: `book:BTC-USD`, `candles:1m:BTC-USD`. */
export function subscriptionKey(message: ClientMessage): string {
  return message.channel === "candles"
    ? `candles:${message.interval}:${message.symbol}`
    : `${message.channel}:${message.symbol}`;
}

/** Parse one text frame: the message, or the refusal's one line naming the field. */
export function parseClientMessage(
  text: string,
): { ok: true; message: ClientMessage } | { ok: false; error: string; id?: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: "expected one JSON object per message" };
  }
  const parsed = clientMessageSchema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || "message";
  const id =
    typeof value === "object" && value !== null ? (value as { id?: unknown }).id : undefined;
  return { ok: false, error: `${field}: ${issue?.message ?? "invalid"}`, id };
}
