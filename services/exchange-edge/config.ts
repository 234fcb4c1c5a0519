/** @module The exchange edge's own settings, added to the kit's common ones. */
import { z } from "zod";

function positiveInt(defaultValue: number, max = 1_000_000) {
  return z.coerce.number().int().min(1).max(max).default(defaultValue);
}

const symbolPattern = /^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$/;

/** Environment variables read by the edge (beside PORT, DATABASE_URL, ... from the kit). */
export const edgeConfigSchema = z.object({
  /** The symbols served, `BTC-USD,ETH-USD`; a subscription to another is refused. */
  EDGE_SYMBOLS: z
    .string()
    .min(1)
    .transform((value) => value.split(",").map((symbol) => symbol.trim()))
    .pipe(z.array(z.string().regex(symbolPattern, "expected symbols like BTC-USD")).min(1)),
  /** Book levels per side sent when a subscription names no depth. */
  EDGE_BOOK_DEPTH: positiveInt(50, 1000),
  /** The deepest book a subscription may ask for. */
  EDGE_BOOK_DEPTH_MAX: positiveInt(200, 1000),
  /** Book and candle updates are coalesced per connection over this window. */
  EDGE_CONFLATION_MS: positiveInt(50, 60_000),
  /** Bytes a connection may have queued and unsent; past it the client is SLOW_CONSUMER. */
  EDGE_OUTBOUND_QUEUE_MAX_BYTES: positiveInt(4 * 1024 * 1024, 1024 * 1024 * 1024),
  /** Subscribe and unsubscribe operations a connection may make per second. */
  EDGE_SUBSCRIPTIONS_PER_SECOND: positiveInt(20, 10_000),
  /** Recent trades sent in a trades snapshot. */
  EDGE_TRADES_SNAPSHOT_SIZE: positiveInt(50, 1000),
  /** Candles per interval sent in a candles snapshot. */
  EDGE_CANDLES_SNAPSHOT_SIZE: positiveInt(60, 1000),
  /** How often the edge checks that the brokers answer (the market data status). */
  EDGE_FEED_PROBE_MS: positiveInt(1_000, 60_000),
  /** Topics of the core's events. */
  EDGE_TRADES_TOPIC: z.string().min(1).default("exchange.trades"),
  EDGE_BOOK_TOPIC: z.string().min(1).default("exchange.book"),
  /** The trading core's order endpoint signed orders are forwarded to. */
  EXCHANGE_ORDERS_URL: z.url({ protocol: /^https?$/ }),
  /** Bearer token the edge presents to the core, when the core asks for one. */
  EXCHANGE_ORDERS_TOKEN: z.string().min(16, "expected at least 16 characters").optional(),
  /** How long a forwarded order waits for the core's answer. */
  EXCHANGE_ORDERS_TIMEOUT_MS: positiveInt(5_000, 60_000),
  /** The key every API key's signing secret is derived from; changing it ends every key. */
  EDGE_API_KEY_MASTER: z.string().min(32, "expected at least 32 characters"),
  /** A signed request's timestamp may differ from the edge's clock by this much. */
  EDGE_SIGNATURE_WINDOW_SECONDS: positiveInt(30, 600),
  /** Signed requests one API key may make per second, across every replica. */
  EDGE_KEY_REQUESTS_PER_SECOND: positiveInt(10, 100_000),
  /** How long a rotated key keeps working unless the rotation names another grace. */
  EDGE_KEY_ROTATION_GRACE_SECONDS: positiveInt(86_400, 30 * 86_400),
});

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;
