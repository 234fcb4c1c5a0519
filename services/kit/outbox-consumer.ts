/**
 * @module Idempotent consumers: the relay delivers at least once, so a consumer records each
 * event id in `processed_messages` in the same transaction as its effect, and a repeat of an
 * id already recorded is skipped.
 */
import type { Consumer, Kafka } from "kafkajs";
import { type Pool, type Tx, withTransaction } from "./db";
import { runInMessageFlow } from "./flow";
import type { Logger } from "./logger";

/**
 * Run `effect` once per (`consumer`, `eventId`): returns false (and does not run it) when the
 * event was already processed. The mark and the effect commit together.
 */
export async function processOnce(
  pool: Pool,
  consumer: string,
  eventId: string,
  effect: (tx: Tx) => Promise<void>,
): Promise<boolean> {
  return withTransaction(pool, async (tx) => {
    const marked = await tx.query(
      "INSERT INTO processed_messages (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
      [consumer, eventId],
    );
    if (marked.rowCount === 0) return false;
    await effect(tx);
    return true;
  });
}

/** A message as an idempotent consumer sees it. */
export interface ConsumedEvent {
  readonly eventId: string;
  readonly topic: string;
  readonly key: string;
  readonly payload: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

export interface IdempotentConsumerOptions {
  readonly kafka: Kafka;
  readonly pool: Pool;
  readonly logger: Logger;
  /** Consumer group id; also the `consumer` of `processed_messages`. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /** @default false */
  readonly fromBeginning?: boolean;
  readonly handle: (event: ConsumedEvent, tx: Tx) => Promise<void>;
}

/**
 * Start a Kafka consumer whose handler runs at most once per event id (a message without
 * an `event-id` header falls back to topic/partition/offset), in the flow the event was queued
 * in (`flow.ts`: its logs carry that `flow_id`, its spans join that trace).
 */
export async function startIdempotentConsumer(
  options: IdempotentConsumerOptions,
): Promise<{ stop(): Promise<void> }> {
  const consumer: Consumer = options.kafka.consumer({ groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({
    topics: [...options.topics],
    fromBeginning: options.fromBeginning ?? false,
  });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (value !== undefined) headers[name] = value.toString();
      }
      const eventId = headers["event-id"] ?? `${topic}/${partition}/${message.offset}`;
      const event: ConsumedEvent = {
        eventId,
        topic,
        key: message.key?.toString() ?? "",
        payload: message.value ? JSON.parse(message.value.toString()) : null,
        headers,
      };
      await runInMessageFlow(headers, () =>
        processOnce(options.pool, options.groupId, eventId, (tx) => options.handle(event, tx)),
      );
    },
  });
  return {
    async stop() {
      await consumer.disconnect();
    },
  };
}
