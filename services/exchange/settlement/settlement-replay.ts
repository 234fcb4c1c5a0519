/**
 * @module Replaying settlement from an offset (seed 002 §3.1 and §3.6: "replay settlement from
 * the last good offset using idempotency keys"). A replay reads `exchange.trades` from the
 * given offset up to the end the partitions had when it started, in a consumer group of its
 * own (the settlement consumer's offsets are left alone), and settles every trade again:
 * trades already posted are no-ops, missing ones are posted, conflicting ones are counted.
 */
import { randomUUID } from "node:crypto";
import type { EachBatchPayload, Kafka } from "kafkajs";
import { type SettlementContext, settleMessages } from "./settle-messages";
import { tradesTopic } from "./trade-executed";

export interface ReplayRequest {
  /** The first offset to settle again in each partition replayed ("0" = from the start). */
  readonly fromOffset: string;
  /** Only this partition. @default every partition */
  readonly partition?: number;
  /** Only this symbol's trades (the message key). @default every symbol */
  readonly symbol?: string;
}

export interface ReplayedPartition {
  readonly partition: number;
  readonly fromOffset: string;
  /** The end replayed to (exclusive): the partition's end when the replay started. */
  readonly toOffset: string;
}

export interface ReplayResult {
  readonly partitions: readonly ReplayedPartition[];
  /** Trades read and settled again, by outcome. */
  readonly posted: number;
  readonly duplicates: number;
  readonly conflicts: number;
}

export interface ReplayOptions extends SettlementContext {
  readonly kafka: Kafka;
  /** @default "exchange.trades" */
  readonly topic?: string;
  /** Give up (and throw) when the replay has not finished by then. @default 600000 */
  readonly timeoutMs?: number;
}

/** Replay settlement as requested; resolves with what it did once every partition is done. */
export async function replaySettlement(
  options: ReplayOptions,
  request: ReplayRequest,
): Promise<ReplayResult> {
  const topic = options.topic ?? tradesTopic;
  const partitions = await partitionsToReplay(options.kafka, topic, request);
  const counts = { posted: 0, duplicates: 0, conflicts: 0 };
  if (partitions.length === 0) return { partitions, ...counts };
  const groupId = `exchange-settlement-replay-${randomUUID()}`;
  const consumer = options.kafka.consumer({ groupId });
  const pending = new Map(partitions.map((p) => [p.partition, BigInt(p.toOffset)]));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`replay of ${topic} did not finish in ${options.timeoutMs ?? 600000} ms`),
          ),
        options.timeoutMs ?? 600_000,
      );
      void consumer.run({
        eachBatch: async (payload) => {
          await replayBatch(options, request, payload, pending, counts);
          if (pending.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    for (const p of partitions)
      consumer.seek({ topic, partition: p.partition, offset: p.fromOffset });
    await done;
  } finally {
    await consumer.disconnect();
    await deleteGroup(options.kafka, groupId);
  }
  return { partitions, ...counts };
}

async function partitionsToReplay(
  kafka: Kafka,
  topic: string,
  request: ReplayRequest,
): Promise<ReplayedPartition[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const from = BigInt(request.fromOffset);
    return offsets
      .filter((o) => request.partition === undefined || o.partition === request.partition)
      .map((o) => {
        const start = from > BigInt(o.low) ? from : BigInt(o.low);
        return { partition: o.partition, fromOffset: start.toString(), toOffset: o.high };
      })
      .filter((p) => BigInt(p.fromOffset) < BigInt(p.toOffset));
  } finally {
    await admin.disconnect();
  }
}

async function replayBatch(
  options: ReplayOptions,
  request: ReplayRequest,
  payload: EachBatchPayload,
  pending: Map<number, bigint>,
  counts: { posted: number; duplicates: number; conflicts: number },
): Promise<void> {
  const end = pending.get(payload.batch.partition);
  if (end === undefined) return;
  const inRange = payload.batch.messages.filter((message) => BigInt(message.offset) < end);
  const wanted = inRange.filter(
    (message) => request.symbol === undefined || message.key?.toString() === request.symbol,
  );
  for (let start = 0; start < wanted.length; start += 200) {
    const settled = await settleMessages(options, wanted.slice(start, start + 200));
    for (const { outcome } of settled) {
      if (outcome === "posted") counts.posted += 1;
      else if (outcome === "duplicate") counts.duplicates += 1;
      else counts.conflicts += 1;
    }
    await payload.heartbeat();
  }
  const last = inRange[inRange.length - 1];
  if (last !== undefined && BigInt(last.offset) + 1n >= end)
    pending.delete(payload.batch.partition);
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // An empty group that outlives its replay expires with the broker's offsets retention.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
