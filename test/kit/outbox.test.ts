/**
 * @module The outbox against a real Kafka broker: events reach an idempotent consumer in order
 * per key; while the broker is down they wait in PostgreSQL with retry_count and last_error;
 * after it returns every event arrives and none is applied twice, redeliveries included.
 */
import { Kafka, logLevel } from "kafkajs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  controlEventsTopic,
  createOutboxRelay,
  createPool,
  enqueueEvent,
  type RunningService,
  startIdempotentConsumer,
  withTransaction,
} from "../../services/kit";
import { type KafkaServer, startKafka } from "../harness/kafka";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { type RedisServer, startRedis } from "../harness/redis";
import { adminFetch, startTestService } from "./test-service";

const topic = "kittest.things";

let postgres: PostgresServer;
let redis: RedisServer;
let kafka: KafkaServer;
let service: RunningService;
let consumer: { stop(): Promise<void> } | undefined;
let client: Kafka;

test.before(async () => {
  [postgres, redis, kafka] = await Promise.all([startPostgres(), startRedis(), startKafka()]);
  service = await startTestService(postgres, redis, {
    KAFKA_BROKERS: kafka.brokers.join(","),
    OUTBOX_RELAY_INTERVAL_MS: "100",
    OUTBOX_BACKOFF_MAX_MS: "1000",
  });
  client = new Kafka({ clientId: "kit-test", brokers: kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  await service.context.pool.query(
    "CREATE TABLE consumed (seq bigserial PRIMARY KEY, event_id text NOT NULL, key text NOT NULL, thing_id bigint NOT NULL)",
  );
  consumer = await startIdempotentConsumer({
    kafka: client,
    pool: service.context.pool,
    logger: service.context.logger,
    groupId: "kit-test-consumer",
    topics: [topic],
    fromBeginning: true,
    handle: async (event, tx) => {
      const payload = event.payload as { id: string };
      await tx.query("INSERT INTO consumed (event_id, key, thing_id) VALUES ($1, $2, $3)", [
        event.eventId,
        event.key,
        payload.id,
      ]);
    },
  });
});

test.after(async () => {
  await consumer?.stop().catch(() => undefined);
  await service?.stop();
  await Promise.all([kafka?.stop(), redis?.stop(), postgres?.stop()]);
});

async function createThings(count: number, batch: string): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const response = await fetch(`${service.url}/v1/things`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      // Four keys, so ordering is checked within keys that interleave.
      body: JSON.stringify({ name: `${batch}-${index % 4}`, amount: String(index) }),
    });
    assert.is(response.status, 201);
  }
}

async function scalar(sql: string): Promise<number> {
  return Number((await service.context.pool.query(sql)).rows[0].n);
}

async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function assertOrderedPerKey(): Promise<void> {
  // Per key, the consumer saw things in the order they were created (thing ids grow).
  const rows = await service.context.pool.query("SELECT key, thing_id FROM consumed ORDER BY seq");
  const last = new Map<string, number>();
  for (const row of rows.rows) {
    const id = Number(row.thing_id);
    assert.ok(
      (last.get(row.key) ?? 0) < id,
      `key ${row.key}: ${id} arrived after ${last.get(row.key)}`,
    );
    last.set(row.key, id);
  }
}

test("events reach the consumer, in order per key", async () => {
  await createThings(20, "up");
  await waitFor(
    "20 consumed",
    async () => (await scalar("SELECT count(*) AS n FROM consumed")) === 20,
  );
  // The relay marks rows published after the broker's ack, a moment after consumers may see them.
  await waitFor("all marked published", async () => {
    return (await scalar("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")) === 0;
  });
  await assertOrderedPerKey();
});

test("a broker outage delays events and loses none; nothing is applied twice", async () => {
  await kafka.stop();
  await createThings(20, "down");
  await waitFor("a failed publish to be recorded", async () => {
    return (
      (await scalar(
        "SELECT count(*) AS n FROM outbox WHERE retry_count > 0 AND last_error IS NOT NULL",
      )) > 0
    );
  });
  assert.is(await scalar("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL"), 20);
  assert.is(await scalar("SELECT count(*) AS n FROM consumed"), 20);
  await kafka.start();
  await waitFor(
    "40 consumed",
    async () => (await scalar("SELECT count(*) AS n FROM consumed")) === 40,
    120_000,
  );
  await waitFor("all marked published", async () => {
    return (await scalar("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")) === 0;
  });
  assert.is(await scalar("SELECT count(DISTINCT event_id) AS n FROM consumed"), 40);
  assert.is(await scalar("SELECT count(DISTINCT thing_id) AS n FROM consumed"), 40);
  await assertOrderedPerKey();
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  assert.match(metrics, /outbox_events_total\{result="failed"[^}]*\} [1-9]/);
  assert.match(metrics, /worker_runs_total\{worker="outbox-relay",result="success"[^}]*\} [1-9]/);
});

test("three relays draining at once keep each key in order and lose nothing", async () => {
  const { pool, logger } = service.context;
  const before = await scalar("SELECT count(*) AS n FROM consumed");
  await withTransaction(pool, async (tx) => {
    for (let index = 0; index < 150; index += 1) {
      enqueueEvent(tx, topic, `burst-${index % 5}`, { id: String(100_000 + index) });
    }
  });
  const pools = [
    createPool(service.context.config.DATABASE_URL),
    createPool(service.context.config.DATABASE_URL),
  ];
  const relays = pools.map((relayPool) =>
    createOutboxRelay(relayPool, client, logger, undefined, { keysPerRound: 2, rowsPerRound: 7 }),
  );
  try {
    await Promise.all(relays.map((relay) => relay.drain()));
    await waitFor("the burst consumed", async () => {
      return (await scalar("SELECT count(*) AS n FROM consumed")) === before + 150;
    });
  } finally {
    await Promise.all(relays.map((relay) => relay.close()));
    await Promise.all(pools.map((relayPool) => relayPool.end()));
  }
  assert.is(await scalar("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL"), 0);
  await assertOrderedPerKey();
});

test("a control change reaches the breakwater.control-events topic", async () => {
  const id = "withdrawalhalt.kittest.events";
  const put = await adminFetch(`${service.url}/admin/v1/controls/${id}`, {
    method: "PUT",
    body: JSON.stringify({
      kind: "WithdrawalHalt",
      spec: { scope: { currencies: ["BTC"] } },
      source: { generation: 1 },
      reason: "drill",
      ticket: "INC-7",
      actor: "alice",
    }),
  });
  assert.is(put.status, 200);
  // The relay creates the topic with its first publish; subscribe once it exists.
  await waitFor("the control event published", async () => {
    const sql = `SELECT count(*) AS n FROM outbox WHERE topic = '${controlEventsTopic}' AND published_at IS NOT NULL`;
    return (await scalar(sql)) > 0;
  });
  const events = client.consumer({ groupId: "kit-test-control-events" });
  const seen: { payload: Record<string, unknown>; eventId: string | undefined; key: string }[] = [];
  await events.connect();
  try {
    await events.subscribe({ topic: controlEventsTopic, fromBeginning: true });
    await events.run({
      eachMessage: async ({ message }) => {
        seen.push({
          payload: JSON.parse(message.value!.toString()),
          eventId: message.headers?.["event-id"]?.toString(),
          key: message.key!.toString(),
        });
      },
    });
    await waitFor("the control event", async () => seen.some((event) => event.payload.id === id));
  } finally {
    await events.disconnect();
  }
  const event = seen.find((entry) => entry.payload.id === id)!;
  assert.is(event.payload.type, "control.applied");
  assert.is(event.payload.ticket, "INC-7");
  assert.is(event.key, `kittest:${id}`);
  assert.ok(event.eventId);
});

test("a redelivered event is skipped by the idempotent consumer", async () => {
  const event = await service.context.pool.query(
    "SELECT event_id, key, payload FROM outbox ORDER BY id LIMIT 1",
  );
  const row = event.rows[0];
  const producer = client.producer();
  await producer.connect();
  // The duplicate, then a marker on the same key (same partition, so consumed after it).
  await producer.send({
    topic,
    messages: [
      { key: row.key, value: JSON.stringify(row.payload), headers: { "event-id": row.event_id } },
      {
        key: row.key,
        value: JSON.stringify({ id: "999999" }),
        headers: { "event-id": "marker-1" },
      },
    ],
  });
  await producer.disconnect();
  await waitFor("the marker", async () => {
    return (await scalar("SELECT count(*) AS n FROM consumed WHERE event_id = 'marker-1'")) === 1;
  });
  assert.is(await scalar("SELECT count(*) AS n FROM consumed"), 191);
  const duplicated = await service.context.pool.query(
    "SELECT count(*)::int AS n FROM consumed WHERE event_id = $1",
    [row.event_id],
  );
  assert.is(duplicated.rows[0].n, 1);
});

test.run();
