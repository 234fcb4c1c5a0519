/**
 * @module The outbox relay: publishes pending outbox rows to Kafka, in order per (topic, key),
 * and marks them published only after the broker acknowledged them. Replicas share the work:
 * each round locks the head row of some keys with `FOR UPDATE SKIP LOCKED` (a head is the
 * oldest unpublished row of its key, so no two replicas ever hold the same key) and then the
 * rows behind those heads. A failed send leaves the rows in place and pushes the head's
 * `next_attempt_at` back exponentially with `retry_count` and `last_error`; a broker outage
 * therefore delays events and loses none. Delivery is at least once: consumers dedupe by the
 * `event-id` header (see `outbox-consumer.ts`).
 */
import type { Kafka, Message, Producer } from "kafkajs";
import { backoffMs } from "./backoff";
import { type Pool, type Tx, withTransaction } from "./db";
import type { Logger } from "./logger";
import type { ServiceMetrics } from "./metrics";

export interface OutboxRelayOptions {
  /** Heads (keys) per round. @default 100 */
  readonly keysPerRound?: number;
  /** Rows per round in total. @default 500 */
  readonly rowsPerRound?: number;
  /** First retry delay; doubles per retry up to `maxBackoffMs`. @default 500 */
  readonly baseBackoffMs?: number;
  /** @default 30000 */
  readonly maxBackoffMs?: number;
  /** Header added to every message. */
  readonly service?: string;
}

interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  key: string;
  payload: unknown;
  headers: Record<string, string>;
  retry_count: number;
}

/** Publishes the outbox; call {@link OutboxRelay.relayOnce} from a worker. */
export interface OutboxRelay {
  /** One round: returns how many rows were published (0 = nothing due, or the send failed). */
  relayOnce(): Promise<number>;
  /** Publish until nothing is due (tests and shutdown). */
  drain(maxRounds?: number): Promise<number>;
  close(): Promise<void>;
}

/** A relay from `pool`'s outbox to `kafka`. */
export function createOutboxRelay(
  pool: Pool,
  kafka: Kafka,
  logger: Logger,
  metrics?: ServiceMetrics,
  options: OutboxRelayOptions = {},
): OutboxRelay {
  let producer: Producer | undefined;
  let connected = false;

  async function ensureProducer(): Promise<Producer> {
    producer ??= kafka.producer({ allowAutoTopicCreation: true });
    if (!connected) {
      await producer.connect();
      connected = true;
      producer.on(producer.events.DISCONNECT, () => {
        connected = false;
      });
    }
    return producer;
  }

  async function relayOnce(): Promise<number> {
    return withTransaction(pool, async (tx) => {
      const rows = await lockDueRows(tx, options.keysPerRound ?? 100, options.rowsPerRound ?? 500);
      if (rows.length === 0) return 0;
      try {
        await send(await ensureProducer(), rows, options.service);
      } catch (error) {
        await recordFailure(tx, rows, error as Error, options);
        metrics?.outboxEvents.inc({ result: "failed" }, rows.length);
        logger.warn(
          { err: error, rows: rows.length },
          "outbox relay could not publish; will retry",
        );
        return 0;
      }
      await tx.query(
        "UPDATE outbox SET published_at = now(), last_error = NULL WHERE id = ANY($1::bigint[])",
        [rows.map((row) => row.id)],
      );
      metrics?.outboxEvents.inc({ result: "published" }, rows.length);
      return rows.length;
    });
  }

  return {
    relayOnce,
    async drain(maxRounds = 1000) {
      let total = 0;
      for (let round = 0; round < maxRounds; round += 1) {
        const published = await relayOnce();
        if (published === 0) break;
        total += published;
      }
      return total;
    },
    async close() {
      if (producer && connected) await producer.disconnect().catch(() => undefined);
      connected = false;
    },
  };
}

async function lockDueRows(
  tx: Tx,
  keysPerRound: number,
  rowsPerRound: number,
): Promise<OutboxRow[]> {
  const heads = await tx.query<{ topic: string; key: string; next_attempt_at: Date }>(
    `SELECT o.topic, o.key FROM outbox o
     WHERE o.published_at IS NULL AND o.next_attempt_at <= now()
       AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.published_at IS NULL
                       AND p.topic = o.topic AND p.key = o.key AND p.id < o.id)
     ORDER BY o.id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [keysPerRound],
  );
  if (heads.rows.length === 0) return [];
  const result = await tx.query<OutboxRow>(
    `SELECT id, event_id, topic, key, payload, headers, retry_count FROM outbox
     WHERE published_at IS NULL AND (topic, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     ORDER BY id LIMIT $3 FOR UPDATE`,
    [heads.rows.map((head) => head.topic), heads.rows.map((head) => head.key), rowsPerRound],
  );
  return result.rows;
}

async function send(producer: Producer, rows: OutboxRow[], service?: string): Promise<void> {
  const byTopic = new Map<string, Message[]>();
  for (const row of rows) {
    const messages = byTopic.get(row.topic) ?? [];
    messages.push({
      key: row.key,
      value: JSON.stringify(row.payload),
      headers: { ...row.headers, "event-id": row.event_id, ...(service ? { service } : {}) },
    });
    byTopic.set(row.topic, messages);
  }
  // acks -1: an event counts as published only once every in-sync replica has it.
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
  });
}

async function recordFailure(
  tx: Tx,
  rows: OutboxRow[],
  error: Error,
  options: OutboxRelayOptions,
): Promise<void> {
  // Only the heads wait: the rows behind them cannot go first anyway.
  const seen = new Set<string>();
  for (const row of rows) {
    const keyId = `${row.topic}\u0000${row.key}`;
    if (seen.has(keyId)) continue;
    seen.add(keyId);
    const retryCount = row.retry_count + 1;
    const delayMs = backoffMs(
      retryCount,
      options.baseBackoffMs ?? 500,
      options.maxBackoffMs ?? 30_000,
    );
    await tx.query(
      `UPDATE outbox SET retry_count = $2, last_error = $3,
         next_attempt_at = now() + ($4::text || ' milliseconds')::interval WHERE id = $1`,
      [row.id, retryCount, error.message.slice(0, 2000), String(delayMs)],
    );
  }
}
