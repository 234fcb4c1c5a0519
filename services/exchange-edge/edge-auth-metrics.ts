/**
 * @module Order entry's metrics under the names seed 002's "Edge auth" dashboard row uses:
 * `auth_fail_total{reason}`, `replay_detect_total` and the per-key rate-limit drops.
 */
import { Counter, type Registry } from "prom-client";

/** Every reason `auth_fail_total` counts, so each series exists from the start. */
export const authFailReasons = [
  "missing_headers",
  "malformed_headers",
  "unknown_key",
  "bad_signature",
] as const;

export type AuthFailReason = (typeof authFailReasons)[number];

export const replayReasons = ["stale_timestamp", "reused_nonce"] as const;

export interface EdgeAuthMetrics {
  readonly authFailures: Counter<"reason">;
  readonly replays: Counter<"reason">;
  readonly rateLimitDrops: Counter<"key_id">;
  readonly forwarded: Counter<"status">;
}

export function createEdgeAuthMetrics(registry: Registry): EdgeAuthMetrics {
  const registers = [registry];
  const authFailures = new Counter({
    name: "auth_fail_total",
    help: "Signed requests refused, by reason (missing_headers, malformed_headers, unknown_key, bad_signature).",
    labelNames: ["reason"] as const,
    registers,
  });
  const replays = new Counter({
    name: "replay_detect_total",
    help: "Signed requests refused as replays: a timestamp outside the window or a nonce used before.",
    labelNames: ["reason"] as const,
    registers,
  });
  for (const reason of authFailReasons) authFailures.inc({ reason }, 0);
  for (const reason of replayReasons) replays.inc({ reason }, 0);
  return {
    authFailures,
    replays,
    rateLimitDrops: new Counter({
      name: "rate_limit_drops_total",
      help: "Signed requests refused because their API key was over its rate, by key id.",
      labelNames: ["key_id"] as const,
      registers,
    }),
    forwarded: new Counter({
      name: "edge_orders_forwarded_total",
      help: "Order requests forwarded to the trading core, by the core's answer status (or unreachable).",
      labelNames: ["status"] as const,
      registers,
    }),
  };
}
