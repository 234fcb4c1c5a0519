/**
 * @module Disputes through each branch of seed 004's decision matrix, on real PostgreSQL,
 * Redis and a Kafka broker: buyer at fault releases to the seller, seller at fault refunds
 * and removes the listing, a platform issue refunds with compensation, unclear escalates and
 * holds the money; notes kept, audited, and both parties notified on Kafka.
 */
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { escrowEventsTopic } from "../../services/escrow/events";
import { verifyAudit } from "../../services/kit/audit";
import {
  balance,
  call,
  type EscrowFixture,
  type EscrowReplica,
  eventually,
  expectStatus,
  heldSale,
  saleSteps,
  startEscrowFixture,
} from "./escrow-fixture";

let fixture: EscrowFixture;
let replica: EscrowReplica;

test.before(async () => {
  fixture = await startEscrowFixture({ kafka: true });
  replica = await fixture.startReplica();
});

test.after(async () => {
  await fixture?.stop();
  await fixture?.kafka?.stop();
});

async function disputed(n: number, amount: string) {
  const parties = { seller: `dp-seller${n}`, buyer: `dp-buyer${n}` };
  const sale = await heldSale(fixture, replica.url, parties, amount);
  const steps = saleSteps(fixture, replica.url);
  const opened = await steps.as(parties.buyer, "POST", `/api/v1/transactions/${sale.id}/disputes`, {
    reason: "the credentials do not work",
  });
  expectStatus(opened, 201);
  const evidence = await steps.as(
    parties.seller,
    "POST",
    `/api/v1/disputes/${opened.body.id}/evidence`,
    {
      kind: "statement",
      text: "the account worked when I listed it",
    },
  );
  expectStatus(evidence, 200);
  assert.is(evidence.body.evidence.length, 1);
  assert.is((await steps.get(parties.buyer, sale.id)).body.state, "disputed");
  return { sale, dispute: opened.body.id as string, ...parties };
}

async function decide(dispute: string, body: Record<string, unknown>) {
  return call(
    replica.url,
    "POST",
    `/api/v1/admin/disputes/${dispute}/decision`,
    body,
    await fixture.superAdmin("judge"),
  );
}

const state = async (id: string) =>
  (await fixture.pool.query("SELECT state, notes FROM transactions WHERE id = $1", [id])).rows[0];

test("buyer at fault: no refund, the held funds go to the seller", async () => {
  const { sale, dispute, seller } = await disputed(1, "10000");
  const decided = await decide(dispute, {
    decision: "buyer_at_fault",
    notes: "account works, buyer changed password",
  });
  expectStatus(decided, 200);
  assert.is(decided.body.status, "decided");
  const row = await state(sale.id);
  assert.is(row.state, "released");
  assert.is(row.notes[0].decision, "buyer_at_fault");
  await eventually("the seller paid", async () =>
    fixture.paystack.transfers.some((t) => t.recipient === seller),
  );
});

test("seller at fault: full refund and the listing is removed", async () => {
  const { sale, dispute, buyer } = await disputed(2, "20000");
  expectStatus(
    await decide(dispute, { decision: "seller_at_fault", notes: "invalid credentials, verified" }),
    200,
  );
  assert.is((await state(sale.id)).state, "refunded");
  assert.is(await balance(fixture.pool, `users:${buyer}:wallet`), 20_000n);
  const listing = await fixture.pool.query("SELECT status FROM listings WHERE id = $1", [
    sale.listingId,
  ]);
  assert.is(listing.rows[0].status, "removed");
  const again = await decide(dispute, { decision: "buyer_at_fault", notes: "second thoughts" });
  assert.is(again.status, 409);
  assert.is((await state(sale.id)).state, "refunded");
});

test("platform issue: full refund plus compensation; compensation only with platform_issue", async () => {
  const { sale, dispute, buyer } = await disputed(3, "30000");
  const refused = await decide(dispute, {
    decision: "seller_at_fault",
    notes: "x y z",
    compensation: "500",
  });
  assert.is(refused.status, 422);
  assert.is((await state(sale.id)).state, "disputed");
  expectStatus(
    await decide(dispute, {
      decision: "platform_issue",
      notes: "platform ban after transfer",
      compensation: "1500",
    }),
    200,
  );
  assert.is((await state(sale.id)).state, "refunded");
  assert.is(await balance(fixture.pool, `users:${buyer}:wallet`), 31_500n);
});

test("unclear: escalated to a super admin, the money stays held until a decision", async () => {
  const { sale, dispute } = await disputed(4, "40000");
  const escalated = await decide(dispute, { decision: "unclear", notes: "both stories hold up" });
  expectStatus(escalated, 200);
  assert.is(escalated.body.status, "escalated");
  assert.is((await state(sale.id)).state, "disputed");
  expectStatus(
    await decide(dispute, { decision: "seller_at_fault", notes: "proof files were edited" }),
    200,
  );
  assert.is((await state(sale.id)).state, "refunded");
  assert.is((await verifyAudit(fixture.pool)).ok, true);
});

test("a dispute cannot be opened before payment, nor by a stranger", async () => {
  const steps = saleSteps(fixture, replica.url);
  const listing = await steps.list("dp-seller5", "500");
  const opened = await steps.open("dp-buyer5", listing.id);
  const early = await steps.as("dp-buyer5", "POST", `/api/v1/transactions/${opened.id}/disputes`, {
    reason: "changed my mind",
  });
  assert.is(early.status, 409);
  const stranger = await steps.as(
    "dp-mallory",
    "POST",
    `/api/v1/transactions/${opened.id}/disputes`,
    {
      reason: "changed my mind",
    },
  );
  assert.is(stranger.status, 404);
});

test("both parties are notified on Kafka of each decision and escalation", async () => {
  const kafka = new Kafka({
    clientId: "escrow-disputes-test",
    brokers: fixture.kafka!.brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `escrow-disputes-test-${randomUUID()}` });
  const notices: { type: string; notify?: string[]; decision?: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: escrowEventsTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const payload = JSON.parse(message.value!.toString()) as {
        type: string;
        data: Record<string, unknown>;
      };
      if (payload.type.startsWith("dispute."))
        notices.push({ type: payload.type, ...(payload.data as object) });
    },
  });
  try {
    await eventually(
      "four decisions and one escalation on Kafka",
      async () =>
        notices.filter((notice) => notice.type === "dispute.decided").length >= 4 &&
        notices.some((notice) => notice.type === "dispute.escalated"),
      60_000,
    );
  } finally {
    await consumer.disconnect();
  }
  const seller2 = notices.find(
    (notice) => notice.decision === "seller_at_fault" && notice.notify?.includes("dp-buyer2"),
  );
  assert.equal(seller2?.notify, ["dp-buyer2", "dp-seller2"]);
});

test.run();
