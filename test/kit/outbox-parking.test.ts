/**
 * @module Outbox parking against a real Kafka broker: an event the broker refuses (larger than
 * its topic allows) is parked after 5 failed deliveries while every other key keeps flowing,
 * its key's later event waits behind it, and it is counted and listed; once the topic is fixed
 * a re-queue (audited) delivers both in order. A broker outage, however long, parks nothing.
 */
import { Kafka, logLevel } from "kafkajs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { enqueueEvent, type RunningService, withTransaction } from "../../services/kit";
import { type KafkaServer, startKafka } from "../harness/kafka";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { waitUntil } from "../harness/process";
import { type RedisServer, startRedis } from "../harness/redis";
import { adminFetch, startTestService } from "./test-service";

const flowing = "kittest.flowing";
/** A topic whose records may be at most 2,000 bytes, until the test raises it. */
const small = "kittest.small";
const parkAfter = 5;

let postgres: PostgresServer;
let redis: RedisServer;
let kafka: KafkaServer;
let service: RunningService;
let client: Kafka;

test.before(async () => {
  [postgres, redis, kafka] = await Promise.all([startPostgres(), startRedis(), startKafka()]);
  client = new Kafka({
    clientId: "kit-parking",
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: flowing, numPartitions: 3 },
      {
        topic: small,
        numPartitions: 1,
        configEntries: [{ name: "max.message.bytes", value: "2000" }],
      },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
  service = await startTestService(postgres, redis, {
    KAFKA_BROKERS: kafka.brokers.join(","),
    OUTBOX_RELAY_INTERVAL_MS: "100",
    OUTBOX_BACKOFF_MAX_MS: "300",
    OUTBOX_PARK_AFTER_FAILURES: String(parkAfter),
  });
});

test.after(async () => {
  await service?.stop();
  await Promise.all([kafka?.stop(), redis?.stop(), postgres?.stop()]);
});

interface OutboxState {
  event_id: string;
  key: string;
  retry_count: number;
  delivery_failures: number;
  parked: boolean;
  published: boolean;
  last_error: string | null;
}

async function rows(where: string): Promise<OutboxState[]> {
  const result = await service.context.pool.query<OutboxState>(
    `SELECT event_id, key, retry_count, delivery_failures, parked_at IS NOT NULL AS parked,
            published_at IS NOT NULL AS published, last_error
       FROM outbox WHERE ${where} ORDER BY id`,
  );
  return result.rows;
}

async function enqueue(
  events: { topic: string; key: string; payload: unknown }[],
): Promise<string[]> {
  return withTransaction(service.context.pool, async (tx) =>
    events.map((event) => enqueueEvent(tx, event.topic, event.key, event.payload)),
  );
}

async function metric(line: RegExp): Promise<number | undefined> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const found = text.split("\n").find((candidate) => line.test(candidate));
  return found === undefined ? undefined : Number(found.slice(found.lastIndexOf(" ") + 1));
}

/** An admin API call to the test service. */
function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return adminFetch(`${service.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const everyKey = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => ({
    topic: flowing,
    key: `${prefix}-${index % 4}`,
    payload: { index },
  }));

let oversized: string;
let behind: string;

test("an event the broker refuses is parked after 5 failed deliveries; other keys keep flowing", async () => {
  const ids = await enqueue([
    { topic: small, key: "order-7", payload: { note: "x".repeat(5_000) } },
    { topic: small, key: "order-7", payload: { note: "the next event of order-7" } },
  ]);
  [oversized, behind] = [ids[0]!, ids[1]!];
  await enqueue(everyKey(12, "before"));
  await waitUntil(
    "the oversized event parked",
    async () => (await rows(`event_id = '${oversized}'`))[0]!.parked,
    { timeoutMs: 120_000, intervalMs: 100 },
  );
  // Events queued after the parking go through, so the relay is still running rounds.
  await enqueue(everyKey(8, "after"));
  await waitUntil(
    "every other key published",
    async () => (await rows(`topic = '${flowing}' AND published_at IS NULL`)).length === 0,
    { timeoutMs: 60_000 },
  );
  const [parked, waiting] = await rows(`topic = '${small}'`);
  assert.is(parked!.delivery_failures, parkAfter);
  assert.is(parked!.published, false);
  assert.match(String(parked!.last_error), /too large|larger/i);
  assert.equal(
    {
      parked: waiting!.parked,
      published: waiting!.published,
      failures: waiting!.delivery_failures,
    },
    { parked: false, published: false, failures: 0 },
  );
  const retriesWhenParked = parked!.retry_count;
  await enqueue(everyKey(4, "later"));
  await waitUntil(
    "later events published",
    async () => (await rows(`topic = '${flowing}' AND published_at IS NULL`)).length === 0,
    { timeoutMs: 60_000 },
  );
  assert.is((await rows(`event_id = '${oversized}'`))[0]!.retry_count, retriesWhenParked);
  assert.is(await metric(/^outbox_events_parked[{ ]/), 1);
  assert.is(await metric(/^outbox_events_total\{result="parked"/), 1);
});

test("on-call sees the parked event with what waits behind it", async () => {
  const unauthorized = await fetch(`${service.url}/admin/v1/outbox/parked`);
  assert.is(unauthorized.status, 401);
  const answer = await admin("GET", "/admin/v1/outbox/parked");
  assert.is(answer.status, 200);
  const { events } = (await answer.json()) as { events: Record<string, unknown>[] };
  assert.equal(
    events.map(({ eventId, topic, key, deliveryFailures, waitingBehind }) => ({
      eventId,
      topic,
      key,
      deliveryFailures,
      waitingBehind,
    })),
    [
      {
        eventId: oversized,
        topic: small,
        key: "order-7",
        deliveryFailures: parkAfter,
        waitingBehind: 1,
      },
    ],
  );
});

test("a re-queue after the fix delivers the parked event and the one behind it, audited", async () => {
  const [{ id }] = (
    await service.context.pool.query<{ id: string }>("SELECT id FROM outbox WHERE event_id = $1", [
      oversized,
    ])
  ).rows as [{ id: string }];
  const noReason = await admin("POST", `/admin/v1/outbox/parked/${id}/requeue`, {
    actor: "alice",
    ticket: "INC-42",
  });
  assert.is(noReason.status, 422);
  assert.is(noReason.headers.get("content-type"), "application/problem+json");
  const unknown = await admin("POST", "/admin/v1/outbox/parked/999999/requeue", {
    actor: "alice",
    reason: "retry after the topic fix",
    ticket: "INC-42",
  });
  assert.is(unknown.status, 404);
  assert.match(((await unknown.json()) as { type: string }).type, /\/outbox\/not-parked$/);

  const kafkaAdmin = client.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.alterConfigs({
    validateOnly: false,
    resources: [
      { type: 2, name: small, configEntries: [{ name: "max.message.bytes", value: "1048588" }] },
    ],
  });
  await kafkaAdmin.disconnect();
  const requeue = await admin("POST", `/admin/v1/outbox/parked/${id}/requeue`, {
    actor: "alice",
    reason: "the topic takes 1 MB records again",
    ticket: "INC-42",
  });
  assert.is(requeue.status, 200);
  await waitUntil(
    "order-7's two events published",
    async () => (await rows(`topic = '${small}' AND published_at IS NULL`)).length === 0,
    { timeoutMs: 60_000 },
  );
  const consumer = client.consumer({ groupId: "kit-parking-check" });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: small, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(String(message.headers?.["event-id"]));
    },
  });
  try {
    await waitUntil("both events consumed", async () => seen.length >= 2, { timeoutMs: 60_000 });
  } finally {
    await consumer.disconnect();
  }
  assert.equal(seen.slice(0, 2), [oversized, behind]);
  const audit = await service.context.pool.query(
    "SELECT actor, subject, reason, ticket FROM audit_log WHERE action = 'outbox.requeue'",
  );
  assert.equal(audit.rows, [
    {
      actor: "alice",
      subject: `outbox:${id}`,
      reason: "the topic takes 1 MB records again",
      ticket: "INC-42",
    },
  ]);
  assert.is(await metric(/^outbox_events_parked[{ ]/), 0);
  const again = await admin("POST", `/admin/v1/outbox/parked/${id}/requeue`, {
    actor: "alice",
    reason: "twice",
    ticket: "INC-42",
  });
  assert.is(again.status, 404);
});

test("a broker outage, retried far past 5 times, parks nothing and loses nothing", async () => {
  await kafka.stop();
  const events = await enqueue(everyKey(8, "outage"));
  const list = events.map((id) => `'${id}'`).join(",");
  await waitUntil(
    "retries past the parking threshold",
    async () =>
      (await rows(`event_id IN (${list})`)).some((row) => row.retry_count > parkAfter + 1),
    { timeoutMs: 180_000, intervalMs: 200 },
  );
  const during = await rows(`event_id IN (${list})`);
  assert.equal(
    during.filter((row) => row.parked || row.delivery_failures > 0),
    [],
  );
  await kafka.start();
  await waitUntil(
    "every outage event published",
    async () => (await rows(`event_id IN (${list})`)).every((row) => row.published),
    { timeoutMs: 180_000 },
  );
  assert.is(await metric(/^outbox_events_parked[{ ]/), 0);
});

test.run();
