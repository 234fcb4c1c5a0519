/**
 * @module The exchange edge: market data over WebSocket (`/ws`: trades, candles and the
 * book, snapshot then sequenced increments) and order entry signed with API keys, forwarded
 * to the trading core, on the kit. Degraded by on-call with an EdgeDegradation control
 * (seed 002, 3.4).
 */
import { join } from "node:path";
import { defineService } from "../kit/service";
import { ApiKeys } from "./api-keys";
import { mountApiKeysApi } from "./api-keys-api";
import { edgeConfigSchema } from "./config";
import { createEdgeAuthMetrics } from "./edge-auth-metrics";
import { type MarketData, startMarketData } from "./market-data";
import { mountMarketDataApi } from "./market-data-api";
import { mountOrderEntryApi } from "./order-entry-api";
import { createRequestAuth } from "./request-auth";

/** The market data of each running replica (several may share a process in tests). */
const running = new WeakMap<object, MarketData>();

export const service = defineService({
  name: "exchange-edge",
  migrationsDir: join(import.meta.dirname, "migrations"),
  config: edgeConfigSchema,
  controlKinds: ["EdgeDegradation"],
  // Order entry is signed with a nonce that never repeats; the core keeps the idempotency.
  idempotency: false,
  routes(app, context) {
    const { config } = context;
    const marketData = startMarketData(context);
    running.set(context, marketData);
    mountMarketDataApi(app, marketData);
    const keys = new ApiKeys(context.pool, config.EDGE_API_KEY_MASTER);
    const metrics = createEdgeAuthMetrics(context.metrics.registry);
    const auth = createRequestAuth({
      keys,
      redis: context.redis,
      metrics,
      windowSeconds: config.EDGE_SIGNATURE_WINDOW_SECONDS,
      requestsPerSecond: config.EDGE_KEY_REQUESTS_PER_SECOND,
    });
    mountApiKeysApi(app, keys, config.EDGE_KEY_ROTATION_GRACE_SECONDS);
    mountOrderEntryApi(app, {
      auth,
      metrics,
      ordersUrl: config.EXCHANGE_ORDERS_URL,
      ordersToken: config.EXCHANGE_ORDERS_TOKEN,
      timeoutMs: config.EXCHANGE_ORDERS_TIMEOUT_MS,
    });
  },
  attach(server, context) {
    running.get(context)?.gateway.attach(server);
  },
  async onStop(context) {
    await running.get(context)?.stop();
  },
});

export default service;
