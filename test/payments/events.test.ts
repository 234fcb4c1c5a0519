/**
 * @module Payments' domain events reach Kafka (a real broker) through the outbox, including
 * the ones written while the broker was down: after its restart every event is delivered,
 * none lost, each carrying its `event-id` header.
 */
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { paymentsEventsTopic } from "../../services/payments/events";
import {
  call,
  eventually,
  fundedWallet,
  type PaymentsFixture,
  type PaymentsReplica,
  startPaymentsFixture,
} from "./payments-fixture";

let fixture: PaymentsFixture;
let replica: PaymentsReplica;

test.before(async () => {
  fixture = await startPaymentsFixture({ kafka: true });
  replica = await fixture.startReplica();
});

test.after(async () => {
  await fixture?.stop();
  await fixture?.kafka?.stop();
});

async function moveMoney(label: string): Promise<void> {
  await fundedWallet(replica.url, `users:${label}:wallet`, 1_000n);
  await call(replica.url, "POST", "/v1/accounts", { name: `users:${label}:savings` });
  const transfer = await call(
    replica.url,
    "POST",
    "/v1/transfers",
    {
      source: `users:${label}:wallet`,
      target: `users:${label}:savings`,
      amount: "100",
      currency: "USD",
    },
    { "idempotency-key": randomUUID() },
  );
  assert.is(transfer.status, 201);
  const payout = await call(
    replica.url,
    "POST",
    "/v1/payouts",
    { account: `users:${label}:wallet`, amount: "200", currency: "USD", destination: "acct-ok" },
    { "idempotency-key": randomUUID() },
  );
  assert.is(payout.status, 201);
  await eventually(
    "payout settled",
    async () =>
      (await call(replica.url, "GET", `/v1/payouts/${payout.body.id}`)).body.status === "settled",
  );
}

async function unpublished(): Promise<number> {
  const result = await fixture.pool.query(
    "SELECT count(*)::int AS n FROM outbox WHERE topic = $1 AND published_at IS NULL",
    [paymentsEventsTopic],
  );
  return result.rows[0].n;
}

test("events written during a broker outage are delivered after its restart, none lost", async () => {
  await moveMoney("before");
  await eventually(
    "events before the outage published",
    async () => (await unpublished()) === 0,
    60_000,
  );

  const kafkaState = async () =>
    (await call(replica.url, "GET", "/health/ready")).body.checks.kafka as {
      status: string;
      latencyMs: number;
    };
  assert.is((await kafkaState()).status, "up");

  await fixture.kafka!.stop();
  // Readiness reports the broker away, and the replica stays ready: events wait in the outbox.
  await eventually("kafka reported down", async () => (await kafkaState()).status === "down");
  assert.is((await call(replica.url, "GET", "/health/ready")).status, 200);
  await moveMoney("during");
  const waiting = await unpublished();
  assert.ok(waiting >= 4, `events wait in the outbox while the broker is down (${waiting})`);
  await fixture.kafka!.start();
  await eventually("kafka reported up", async () => (await kafkaState()).status === "up", 60_000);
  await eventually(
    "the outbox drained after the restart",
    async () => (await unpublished()) === 0,
    90_000,
  );

  const stored = await fixture.pool.query<{ event_id: string; type: string }>(
    "SELECT event_id, payload->>'type' AS type FROM outbox WHERE topic = $1 ORDER BY id",
    [paymentsEventsTopic],
  );
  const kafka = new Kafka({
    clientId: "payments-events-test",
    brokers: fixture.kafka!.brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `payments-events-test-${randomUUID()}` });
  const received = new Map<string, string>();
  await consumer.connect();
  await consumer.subscribe({ topic: paymentsEventsTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const eventId = message.headers?.["event-id"]?.toString();
      const payload = JSON.parse(message.value!.toString()) as { type: string };
      if (eventId) received.set(eventId, payload.type);
    },
  });
  try {
    await eventually(
      `all ${stored.rows.length} events consumed`,
      async () => stored.rows.every((row) => received.has(row.event_id)),
      60_000,
    );
  } finally {
    await consumer.disconnect();
  }
  const types = new Set(received.values());
  for (const type of [
    "deposit.received",
    "transfer.completed",
    "payout.requested",
    "payout.settled",
  ]) {
    assert.ok(types.has(type), `a ${type} event`);
  }
  assert.is(received.size, stored.rows.length);
});

test.run();
