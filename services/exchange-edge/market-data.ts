/**
 * @module The edge's market data on one replica: the state rebuilt from the core's events,
 * the `/ws` gateway serving it and the feed filling it, with the settings in force.
 */
import type { CommonConfig } from "../kit/config";
import type { ServiceContext } from "../kit/service";
import type { EdgeConfig } from "./config";
import { configuredSettings, type EdgeSettings, settingsInForce } from "./edge-settings";
import { MarketFeed } from "./market-feed";
import { MarketState } from "./market-state";
import { WsGateway } from "./ws-gateway";
import { createWsMetrics } from "./ws-metrics";

export type EdgeContext = ServiceContext<CommonConfig & EdgeConfig>;

export interface MarketData {
  readonly gateway: WsGateway;
  readonly feed: MarketFeed;
  settings(): EdgeSettings;
  /** Whether the brokers of the feed answer. */
  readonly marketDataUp: () => boolean;
  stop(): Promise<void>;
}

/** Build the market data of a replica; `gateway.attach(server)` then serves `/ws`. */
export function startMarketData(context: EdgeContext): MarketData {
  const { config, logger } = context;
  const metrics = createWsMetrics(context.metrics.registry);
  const market = new MarketState(
    config.EDGE_SYMBOLS,
    config.EDGE_TRADES_SNAPSHOT_SIZE,
    config.EDGE_CANDLES_SNAPSHOT_SIZE,
  );
  let current = configuredSettings(config);
  const settings = () => {
    current = settingsInForce(config, context.controls, current);
    return current;
  };
  const gateway = new WsGateway({
    market,
    metrics,
    logger,
    queueMaxBytes: config.EDGE_OUTBOUND_QUEUE_MAX_BYTES,
    tradesSnapshotSize: config.EDGE_TRADES_SNAPSHOT_SIZE,
    candlesSnapshotSize: config.EDGE_CANDLES_SNAPSHOT_SIZE,
    settings,
  });
  const feed = new MarketFeed({
    kafka: context.kafka,
    replicaId: context.replicaId,
    tradesTopic: config.EDGE_TRADES_TOPIC,
    bookTopic: config.EDGE_BOOK_TOPIC,
    market,
    gateway,
    metrics,
    logger,
  });
  feed.start();
  context.runWorker(
    "market-feed-probe",
    () => feed.probe(config.EDGE_FEED_PROBE_MS * 2),
    config.EDGE_FEED_PROBE_MS,
  );
  return {
    gateway,
    feed,
    settings,
    marketDataUp: () => feed.up,
    async stop() {
      await gateway.close();
      await feed.stop();
    },
  };
}
