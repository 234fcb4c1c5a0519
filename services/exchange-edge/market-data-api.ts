/**
 * @module `GET /v1/market-data/status`: what this replica serves right now — the settings in
 * force (and the EdgeDegradation controls that set them), the feed's state, the connections.
 * On-call's check that a degradation reached a replica and that lifting it restored the config.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import type { MarketData } from "./market-data";

const statusSchema = z
  .object({
    marketData: z.enum(["up", "down"]),
    connections: z.int(),
    settings: z.object({
      conflationMs: z.int(),
      bookDepthDefault: z.int(),
      bookDepthMax: z.int(),
      subscriptionsPerSecond: z.int(),
      degradedBy: z.array(z.string()),
    }),
  })
  .openapi("MarketDataStatus");

const statusRoute = createRoute({
  method: "get",
  path: "/v1/market-data/status",
  summary: "The market data settings in force on this replica and the feed's state",
  responses: {
    200: {
      description: "This replica's market data",
      content: { "application/json": { schema: statusSchema } },
    },
  },
});

export function mountMarketDataApi(app: ServiceApp, marketData: MarketData): void {
  app.openapi(statusRoute, (c) =>
    c.json(
      {
        marketData: marketData.marketDataUp() ? ("up" as const) : ("down" as const),
        connections: marketData.gateway.connectionCount,
        settings: { ...marketData.settings(), degradedBy: [...marketData.settings().degradedBy] },
      },
      200,
    ),
  );
}
