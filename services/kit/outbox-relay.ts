/**
 * @module The outbox relay: publishes pending outbox rows to Kafka, in order per (topic, key),
 * and marks them published only after the broker acknowledged them. Replicas share the work:
 * each round locks the head row of some keys with `FOR UPDATE SKIP LOCKED` (a head is the
 * oldest unpublished row of its key, so no two replicas ever hold the same key) and then the
 * rows behind those heads. A failed send leaves the rows in place and pushes the head's
 * `next_attempt_at` back exponentially with `retry_count` and `last_error`; a broker outage
 * therefore delays events and loses none. Delivery is at least once: consumers dedupe by the
 * `event-id` header (see `outbox-consumer.ts`).
 *
 * Parking: when a round's batch fails, each key is sent on its own, so one bad event cannot
 * hold every other key. A head's `delivery_failures` grows only when its own send failed
 * while the broker took other keys in the round, or the broker refused the record itself
 * (`outbox-delivery-errors.ts`); never on an availability error. At `parkAfterFailures` the
 * head is parked (`parked_at`): no longer retried, its key's later events wait behind it in
 * order, and it counts in `outbox_events_parked` until on-call re-queues it
 * (`outbox-parked-api.ts`).
 */
import { context } from "@opentelemetry/api";
import type { Kafka, Message, Producer } from "kafkajs";
import { Gauge } from "prom-client";
import { backoffMs } from "./backoff";
import { type Pool, type Tx, withTransaction } from "./db";
import { contextOfHeaders } from "./flow";
import type { Logger } from "./logger";
import type { ServiceMetrics } from "./metrics";
import { classifyDeliveryError } from "./outbox-delivery-errors";

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
  /** Failed deliveries of one event (see the module) after which it is parked. @default 5 */
  readonly parkAfterFailures?: number;
}

interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  key: string;
  payload: unknown;
  headers: Record<string, string>;
  retry_count: number;
  delivery_failures: number;
}

/** One key's rows whose send failed, with the error and whether it counts against the head. */
interface FailedKey {
  readonly rows: OutboxRow[];
  readonly error: unknown;
  readonly counted: boolean;
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

  async function sendRows(rows: OutboxRow[]): Promise<void> {
    await send(await ensureProducer(), rows, options.service);
  }

  async function relayOnce(): Promise<number> {
    return withTransaction(pool, async (tx) => {
      const rows = await lockDueRows(tx, options.keysPerRound ?? 100, options.rowsPerRound ?? 500);
      if (rows.length === 0) return 0;
      const { published, failed } = await deliver(sendRows, rows);
      if (published.length > 0) {
        await tx.query(
          "UPDATE outbox SET published_at = now(), last_error = NULL WHERE id = ANY($1::bigint[])",
          [published.map((row) => row.id)],
        );
        metrics?.outboxEvents.inc({ result: "published" }, published.length);
      }
      if (failed.length > 0) await recordFailures(tx, failed);
      return published.length;
    });
  }

  async function recordFailures(tx: Tx, failed: FailedKey[]): Promise<void> {
    const parkAfter = options.parkAfterFailures ?? 5;
    let parked = 0;
    for (const key of failed) {
      const head = key.rows[0]!;
      const retryCount = head.retry_count + 1;
      const failures = head.delivery_failures + (key.counted ? 1 : 0);
      const park = key.counted && failures >= parkAfter;
      const delayMs = backoffMs(
        retryCount,
        options.baseBackoffMs ?? 500,
        options.maxBackoffMs ?? 30_000,
      );
      // Only the head waits: the rows behind it cannot go first anyway.
      await tx.query(
        `UPDATE outbox SET retry_count = $2, delivery_failures = $3, last_error = $4,
           next_attempt_at = now() + ($5::text || ' milliseconds')::interval,
           parked_at = CASE WHEN $6 THEN now() END
         WHERE id = $1`,
        [head.id, retryCount, failures, messageOf(key.error), String(delayMs), park],
      );
      if (park) {
        parked += 1;
        logger.error(
          {
            eventId: head.event_id,
            topic: head.topic,
            key: head.key,
            deliveryFailures: failures,
            err: key.error,
          },
          "outbox event parked after repeated failed deliveries; re-queue it once the cause is fixed",
        );
      }
    }
    const rows = failed.reduce((sum, key) => sum + key.rows.length, 0);
    metrics?.outboxEvents.inc({ result: "failed" }, rows);
    if (parked > 0) metrics?.outboxEvents.inc({ result: "parked" }, parked);
    logger.warn(
      { err: failed[0]!.error, rows, keys: failed.length },
      "outbox relay could not publish; will retry",
    );
  }

  if (metrics) registerParkedGauge(pool, metrics, logger);

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
     WHERE o.published_at IS NULL AND o.parked_at IS NULL AND o.next_attempt_at <= now()
       AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.published_at IS NULL
                       AND p.topic = o.topic AND p.key = o.key AND p.id < o.id)
     ORDER BY o.id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [keysPerRound],
  );
  if (heads.rows.length === 0) return [];
  const result = await tx.query<OutboxRow>(
    `SELECT id, event_id, topic, key, payload, headers, retry_count, delivery_failures FROM outbox
     WHERE published_at IS NULL AND (topic, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     ORDER BY id LIMIT $3 FOR UPDATE`,
    [heads.rows.map((head) => head.topic), heads.rows.map((head) => head.key), rowsPerRound],
  );
  return result.rows;
}

/**
 * Send each event in the trace it was queued in (its `traceparent`, `flow.ts`), so the produce
 * span and the consumers' spans join the request's trace: one batch per trace. Without tracing
 * no row carries a trace and this is one batch.
 */
async function send(producer: Producer, rows: OutboxRow[], service?: string): Promise<void> {
  const byTrace = new Map<string | undefined, OutboxRow[]>();
  for (const row of rows) {
    const traceParent = row.headers.traceparent;
    const group = byTrace.get(traceParent) ?? [];
    group.push(row);
    byTrace.set(traceParent, group);
  }
  await Promise.all(
    [...byTrace.values()].map((group) =>
      context.with(contextOfHeaders(group[0]!.headers), () => sendBatch(producer, group, service)),
    ),
  );
}

async function sendBatch(producer: Producer, rows: OutboxRow[], service?: string): Promise<void> {
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

/**
 * Send `rows` in one batch; if that fails, each key on its own (fewest failures first), so
 * the keys the broker takes are published and only the refused ones wait. Once a key fails
 * for any reason but its own record and none has gone through, the broker looks unavailable:
 * the remaining keys are not tried this round and nothing counts against them.
 */
async function deliver(
  sendRows: (rows: OutboxRow[]) => Promise<void>,
  rows: OutboxRow[],
): Promise<{ published: OutboxRow[]; failed: FailedKey[] }> {
  try {
    await sendRows(rows);
    return { published: rows, failed: [] };
  } catch (batchError) {
    const keys = keyGroups(rows);
    if (keys.length === 1)
      return { published: [], failed: [judged(keys[0]!, batchError, true, 0)] };
    const published: OutboxRow[] = [];
    const errors: { rows: OutboxRow[]; error: unknown; tried: boolean }[] = [];
    for (const group of keys) {
      const unavailable =
        published.length === 0 &&
        errors.some((failure) => classifyDeliveryError(failure.error) !== "event");
      if (unavailable) {
        errors.push({ rows: group, error: batchError, tried: false });
        continue;
      }
      try {
        await sendRows(group);
        published.push(...group);
      } catch (error) {
        errors.push({ rows: group, error, tried: true });
      }
    }
    const failed = errors.map((failure) =>
      judged(failure.rows, failure.error, failure.tried, published.length),
    );
    return { published, failed };
  }
}

/**
 * Whether a key's failed send counts against its head: it was tried, the broker was not
 * unavailable, and the record itself was refused or other keys went through.
 */
function judged(rows: OutboxRow[], error: unknown, tried: boolean, published: number): FailedKey {
  const kind = classifyDeliveryError(error);
  const counted = tried && kind !== "availability" && (kind === "event" || published > 0);
  return { rows, error, counted };
}

/** Rows grouped by (topic, key), in row order within a key; fewest failures first. */
function keyGroups(rows: OutboxRow[]): OutboxRow[][] {
  const groups = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const keyId = `${row.topic}\u0000${row.key}`;
    const group = groups.get(keyId) ?? [];
    group.push(row);
    groups.set(keyId, group);
  }
  return [...groups.values()].sort(
    (left, right) =>
      left[0]!.delivery_failures - right[0]!.delivery_failures ||
      left[0]!.retry_count - right[0]!.retry_count,
  );
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}

/** `outbox_events_parked`: parked events in the database, counted when Prometheus scrapes. */
function registerParkedGauge(pool: Pool, metrics: ServiceMetrics, logger: Logger): void {
  if (metrics.registry.getSingleMetric("outbox_events_parked")) return;
  new Gauge({
    name: "outbox_events_parked",
    help: "Outbox events parked after repeated failed deliveries, waiting for a re-queue.",
    registers: [metrics.registry],
    async collect() {
      try {
        const result = await pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM outbox WHERE parked_at IS NOT NULL AND published_at IS NULL",
        );
        this.set(Number(result.rows[0]!.n));
      } catch (error) {
        // The last value stays; readiness reports the database.
        logger.debug({ err: error }, "could not count parked outbox events");
      }
    },
  });
}
