/**
 * @module The edge's feed of the core's events: a Kafka consumer of `exchange.trades` and
 * `exchange.book` in a consumer group of this replica alone (every replica needs every
 * event), read from the beginning so a starting replica rebuilds the book, the recent trades
 * and the candles; plus a probe of the brokers that tells every client when market data
 * stops (seed 002, 3.5: "degrade WS: inform clients") and when it is back.
 */
import { randomUUID } from "node:crypto";
import type { Consumer, Kafka } from "kafkajs";
import { createKafkaProbe, withTimeout } from "../kit/health";
import type { Logger } from "../kit/logger";
import { bookChangedSchema, tradeExecutedSchema } from "./market-events";
import type { MarketState } from "./market-state";
import type { WsGateway } from "./ws-gateway";
import type { WsMetrics } from "./ws-metrics";

export interface MarketFeedOptions {
  readonly kafka: Kafka;
  readonly replicaId: string;
  readonly tradesTopic: string;
  readonly bookTopic: string;
  readonly market: MarketState;
  readonly gateway: WsGateway;
  readonly metrics: WsMetrics;
  readonly logger: Logger;
}

/** Messages applied between two turns of the event loop. */
const yieldEveryMessages = 100;

/** Failed probes in a row before clients are told market data is down. */
const failuresBeforeOutage = 2;

export class MarketFeed {
  #consumer: Consumer | undefined;
  readonly #probe;
  #failures = 0;
  #down = false;
  #stopped = false;

  constructor(private readonly options: MarketFeedOptions) {
    this.#probe = createKafkaProbe(options.kafka);
    options.metrics.marketDataUp.set(1);
  }

  /** False while clients are told market data is unavailable. */
  get up(): boolean {
    return !this.#down;
  }

  /** Start consuming; retried in the background until it works, so a broker outage at start does not stop the edge. */
  start(): void {
    void this.#connect(500);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#consumer?.disconnect().catch(() => undefined);
    await this.#probe.close();
  }

  /** One probe of the brokers (run by a worker); tells clients on each change of state. */
  async probe(timeoutMs: number): Promise<string> {
    try {
      await withTimeout(this.#probe.describe(), timeoutMs, "kafka");
      this.#failures = 0;
      if (this.#down) this.#recovered();
      return "up";
    } catch (error) {
      this.#failures += 1;
      if (!this.#down && this.#failures >= failuresBeforeOutage) this.#lost(error);
      return "down";
    }
  }

  #lost(error: unknown): void {
    this.#down = true;
    this.options.metrics.marketDataUp.set(0);
    this.options.logger.warn({ err: error }, "market data feed lost: brokers unreachable");
    this.options.gateway.broadcastStatus({
      type: "status",
      status: "degraded",
      reason: "MARKET_DATA_UNAVAILABLE",
      message:
        "market data is delayed: updates resume when the feed is back; resubscribe then for fresh snapshots",
    });
  }

  #recovered(): void {
    this.#down = false;
    this.options.metrics.marketDataUp.set(1);
    this.options.logger.info("market data feed recovered");
    this.options.gateway.broadcastStatus({
      type: "status",
      status: "ok",
      message: "market data has recovered: resubscribe for fresh snapshots",
    });
  }

  async #connect(delayMs: number): Promise<void> {
    if (this.#stopped) return;
    const { kafka, replicaId, tradesTopic, bookTopic, logger } = this.options;
    // A group of its own, new at each start: every replica reads every event from the start.
    const consumer = kafka.consumer({ groupId: `exchange-edge.${replicaId}.${randomUUID()}` });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [tradesTopic, bookTopic], fromBeginning: true });
      await consumer.run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          for (const [index, message] of batch.messages.entries()) {
            this.#apply(batch.topic, message.value);
            resolveOffset(message.offset);
            // Let the sockets write between slices of a burst, so a connection's backlog
            // counts what its client has not read, not the size of the broker's batch.
            if (index % yieldEveryMessages === yieldEveryMessages - 1) {
              await new Promise((resolve) => setImmediate(resolve));
              // Not awaited: a heartbeat due in a burst waits for its answer behind every
              // socket write of the burst, and the fan-out would stall on it. The group is
              // this replica's alone, so no rebalance waits on the answer either.
              heartbeat().catch(() => undefined);
            }
          }
        },
      });
      this.#consumer = consumer;
      if (this.#stopped) await consumer.disconnect();
    } catch (error) {
      logger.warn({ err: error }, "market data consumer could not start; retrying");
      await consumer.disconnect().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await this.#connect(Math.min(delayMs * 2, 10_000));
    }
  }

  #apply(topic: string, value: Buffer | null): void {
    if (!value) return;
    let payload: unknown;
    try {
      payload = JSON.parse(value.toString());
    } catch {
      this.options.logger.warn({ topic }, "skipped a market event that is not JSON");
      return;
    }
    if (topic === this.options.tradesTopic) this.#applyTrade(payload);
    else this.#applyBook(payload);
  }

  #applyTrade(payload: unknown): void {
    const parsed = tradeExecutedSchema.safeParse(payload);
    if (!parsed.success) {
      this.#skip("TradeExecuted", parsed.error.issues[0]);
      return;
    }
    const market = this.options.market.get(parsed.data.symbol);
    const applied = market?.applyTrade(parsed.data);
    if (applied)
      this.options.gateway.publishTrade(parsed.data.symbol, applied.trade, applied.candles);
  }

  #applyBook(payload: unknown): void {
    const parsed = bookChangedSchema.safeParse(payload);
    if (!parsed.success) {
      this.#skip("BookChanged", parsed.error.issues[0]);
      return;
    }
    this.options.market.get(parsed.data.symbol)?.applyBook(parsed.data);
  }

  #skip(type: string, issue: { path: PropertyKey[]; message: string } | undefined): void {
    this.options.logger.warn(
      { type, field: issue?.path.join("."), problem: issue?.message },
      "skipped a market event that does not match the contract",
    );
  }
}
