/**
 * @module The edge's WebSocket metrics under the names seed 002's WS dashboard row uses:
 * connected clients, outbound messages, drops, closes by reason (`ws_close_total{reason}`)
 * and the outbound backlog of each connection.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface WsMetrics {
  /** `ws_connected_clients`. */
  readonly connectedClients: Gauge;
  /** `ws_outbound_messages_total{channel}`; its rate is the outbound messages per second. */
  readonly outboundMessages: Counter<"channel">;
  /** `ws_dropped_messages_total{reason}`: messages never sent (slow_consumer, rate_limited). */
  readonly droppedMessages: Counter<"reason">;
  /** `ws_conflated_updates_total{channel}`: book and candle updates merged into a later one. */
  readonly conflatedUpdates: Counter<"channel">;
  /** `ws_close_total{reason}`: SLOW_CONSUMER, CLIENT, SHUTDOWN, PROTOCOL_ERROR. */
  readonly closes: Counter<"reason">;
  /** `ws_connection_backlog_bytes`: each connection's unsent bytes, sampled per flush. */
  readonly backlog: Histogram;
  /** `ws_subscription_ops_total{op,result}`. */
  readonly subscriptionOps: Counter<"op" | "result">;
  /** `ws_market_data_up`: 1 while the brokers answer, 0 during an outage. */
  readonly marketDataUp: Gauge;
}

export function createWsMetrics(registry: Registry): WsMetrics {
  const registers = [registry];
  return {
    connectedClients: new Gauge({
      name: "ws_connected_clients",
      help: "WebSocket clients connected to this replica.",
      registers,
    }),
    outboundMessages: new Counter({
      name: "ws_outbound_messages_total",
      help: "WebSocket messages sent, by channel (trades, book, candles, status, control).",
      labelNames: ["channel"] as const,
      registers,
    }),
    droppedMessages: new Counter({
      name: "ws_dropped_messages_total",
      help: "WebSocket messages or operations dropped, by reason (slow_consumer, rate_limited).",
      labelNames: ["reason"] as const,
      registers,
    }),
    conflatedUpdates: new Counter({
      name: "ws_conflated_updates_total",
      help: "Book and candle updates merged into a later update of the same connection.",
      labelNames: ["channel"] as const,
      registers,
    }),
    closes: new Counter({
      name: "ws_close_total",
      help: "WebSocket connections closed, by reason (SLOW_CONSUMER, CLIENT, SHUTDOWN, PROTOCOL_ERROR).",
      labelNames: ["reason"] as const,
      registers,
    }),
    backlog: new Histogram({
      name: "ws_connection_backlog_bytes",
      help: "Bytes queued and unsent on a connection, sampled on every flush.",
      buckets: [0, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216],
      registers,
    }),
    subscriptionOps: new Counter({
      name: "ws_subscription_ops_total",
      help: "Subscribe and unsubscribe operations, by op and result (ok, invalid, rate_limited).",
      labelNames: ["op", "result"] as const,
      registers,
    }),
    marketDataUp: new Gauge({
      name: "ws_market_data_up",
      help: "1 while the edge reaches the brokers of the market data feed, 0 during an outage.",
      registers,
    }),
  };
}
