/**
 * @module The EdgeDegradation kind: seed 002's 3.4 immediate actions for a WebSocket fan-out
 * overload as one lever on every exchange edge replica — aggressive conflation of book and
 * candle updates, a lower book depth, tighter subscription limits. Trades are never conflated
 * or dropped under it.
 */
import { z } from "@hono/zod-openapi";
import { printerColumns } from "./common";
import { defineControlKind } from "./kind";

export const edgeDegradation = defineControlKind({
  kind: "EdgeDegradation",
  plural: "edgedegradations",
  singular: "edgedegradation",
  shortNames: ["ed"],
  description:
    "Degrades the exchange edge's market data while it exists, to protect the edge during a " +
    "WebSocket fan-out overload: book and candle updates are coalesced over conflationMs, " +
    "book subscriptions are cut to bookDepth levels per side, and each connection may make " +
    "at most subscriptionsPerSecond subscribe or unsubscribe operations. Trades are never " +
    "conflated or dropped. Where several exist, each setting takes the most restrictive " +
    "value. Delete it to restore the configured settings.",
  oneShot: false,
  fields: {
    conflationMs: z.int().min(1).max(60_000).meta({
      description: "Window over which book and candle updates are coalesced, e.g. 1000.",
    }),
    bookDepth: z.int().min(1).max(1000).meta({
      description: "Book levels per side sent to every book subscription at most, e.g. 20.",
    }),
    subscriptionsPerSecond: z.int().min(1).max(10_000).meta({
      description: "Subscribe and unsubscribe operations a connection may make per second.",
    }),
  },
  columns: printerColumns(".status.target", [
    {
      name: "Depth",
      type: "integer",
      jsonPath: ".spec.bookDepth",
      description: "Book levels per side at most.",
    },
    {
      name: "Conflation",
      type: "integer",
      jsonPath: ".spec.conflationMs",
      description: "Conflation window in milliseconds.",
    },
  ]),
  targets: () => [{ service: "exchange-edge" }],
  // Settings combine field by field at the edge, so no degradation supersedes another.
  rank: () => 1,
});
