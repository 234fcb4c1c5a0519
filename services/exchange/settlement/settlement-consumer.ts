/**
 * @module The settlement consumer: reads `exchange.trades` in its consumer group and posts
 * every trade to the ledger (see settle-trades.ts). Offsets are committed only after the
 * postings commit, so a crash or a broker outage redelivers, and the reference of each
 * trade makes the redelivery a no-op. A message it cannot settle stops its partition (the
 * consumer lag then grows and alerts): money never moves on a guess and no trade is skipped.
 */
import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import { type SettlementContext, settleMessages } from "./settle-messages";
import { tradesTopic } from "./trade-executed";

export interface SettlementConsumerOptions extends SettlementContext {
  readonly kafka: Kafka;
  /** @default "exchange-settlement" */
  readonly groupId?: string;
  /** @default "exchange.trades" */
  readonly topic?: string;
  /** Trades posted per database transaction at most. @default 200 */
  readonly chunkSize?: number;
}

export interface SettlementConsumer {
  stop(): Promise<void>;
}

/** Start consuming; a group with no committed offset starts at the topic's beginning. */
export async function startSettlementConsumer(
  options: SettlementConsumerOptions,
): Promise<SettlementConsumer> {
  const topic = options.topic ?? tradesTopic;
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId ?? "exchange-settlement",
    // A stalled partition is retried for as long as it takes, never given up.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: (payload) => settleBatch(options, payload),
  });
  return {
    async stop() {
      await consumer.disconnect();
    },
  };
}

async function settleBatch(options: SettlementConsumerOptions, payload: EachBatchPayload) {
  const { batch } = payload;
  const chunkSize = options.chunkSize ?? 200;
  const lag = options.metrics.consumerLag.labels(batch.topic, String(batch.partition));
  for (let start = 0; start < batch.messages.length; start += chunkSize) {
    if (!payload.isRunning() || payload.isStale()) return;
    const chunk = batch.messages.slice(start, start + chunkSize);
    try {
      await settleMessages(options, chunk);
    } catch (error) {
      options.logger.error({ err: error, partition: batch.partition }, "settlement stalled");
      throw error;
    }
    const last = chunk[chunk.length - 1]!;
    payload.resolveOffset(last.offset);
    lag.set(Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n)));
    await payload.commitOffsetsIfNecessary();
    await payload.heartbeat();
  }
}
