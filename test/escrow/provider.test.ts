/**
 * @module The Paystack-style provider, a real HTTP server: webhooks verified before anything
 * is read, stored in payment_events once, replays answered as stored, drift and a price
 * mismatch refused with nothing moved; seller payouts with the care ambiguous answers need
 * (pending and 500 to manual review, settled later by the transfer webhook; failed returns
 * the money to the seller's wallet; a reference is never paid twice).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  balance,
  type EscrowFixture,
  type EscrowReplica,
  eventually,
  expectStatus,
  payoutBecomes,
  releasedSale,
  saleSteps,
  startEscrowFixture,
  webhook,
} from "./escrow-fixture";

let fixture: EscrowFixture;
let replica: EscrowReplica;

test.before(async () => {
  fixture = await startEscrowFixture();
  replica = await fixture.startReplica();
});

test.after(async () => {
  await fixture?.stop();
});

const held = () => balance(fixture.pool, "platform:escrow:held");
const stored = async (reference: string) =>
  (
    await fixture.pool.query(
      "SELECT event, outcome, detail FROM payment_events WHERE reference = $1 ORDER BY id",
      [reference],
    )
  ).rows;

test("a webhook with a bad or missing signature is refused before it is read or stored", async () => {
  const steps = saleSteps(fixture, replica.url);
  const listing = await steps.list("ps-seller1", "3000");
  const opened = await steps.open("ps-buyer1", listing.id);
  const payload = {
    event: "charge.success",
    data: { reference: opened.paymentReference, amount: 3000, currency: "USD" },
  };
  const forged = await webhook(fixture, replica.url, payload, "ab".repeat(64));
  assert.is(forged.status, 401);
  assert.match(forged.body.type, /webhook\/invalid-signature$/);
  const sha256 = await webhook(fixture, replica.url, payload, "ab".repeat(32));
  assert.is(sha256.status, 401);
  assert.equal(await stored(opened.paymentReference), []);
  assert.is((await steps.get("ps-buyer1", opened.id)).body.state, "pending_payment");
});

test("a replayed charge is answered as stored and holds the money once; drift is 409", async () => {
  const before = await held();
  const steps = saleSteps(fixture, replica.url);
  const listing = await steps.list("ps-seller2", "4000");
  const opened = await steps.open("ps-buyer2", listing.id);
  const first = await steps.pay(opened);
  expectStatus(first, 200);
  const replay = await steps.pay(opened);
  expectStatus(replay, 200);
  assert.is(replay.headers.get("webhook-replayed"), "true");
  assert.is(replay.body.outcome, "applied");
  assert.is(replay.body.replayed, true);
  assert.is(await held(), before + 4000n);

  const drift = await steps.pay(opened, 4001);
  assert.is(drift.status, 409);
  assert.match(drift.body.type, /webhook\/reference-mismatch$/);
  assert.is(await held(), before + 4000n);
  assert.is((await stored(opened.paymentReference)).length, 1);
});

test("a charge that does not match the price is stored as refused and holds nothing", async () => {
  const before = await held();
  const steps = saleSteps(fixture, replica.url);
  const listing = await steps.list("ps-seller3", "5000");
  const opened = await steps.open("ps-buyer3", listing.id);
  const short = await steps.pay(opened, 4999);
  expectStatus(short, 200);
  assert.is(short.body.outcome, "refused");
  assert.is((await steps.get("ps-buyer3", opened.id)).body.state, "pending_payment");
  assert.is(await held(), before);
  const rows = await stored(opened.paymentReference);
  assert.is(rows[0].outcome, "refused");
  assert.match(rows[0].detail, /paid 4999 USD, the transaction is 5000 USD/);
});

test("a malformed but signed webhook is 422 and an unknown event is stored as ignored", async () => {
  const malformed = await webhook(fixture, replica.url, { event: "charge.success", data: {} });
  assert.is(malformed.status, 422);
  const unknown = await webhook(fixture, replica.url, {
    event: "subscription.create",
    data: { reference: "sub_1" },
  });
  expectStatus(unknown, 200);
  assert.is(unknown.body.outcome, "ignored");
});

test("a released sale pays the seller once: a successful transfer settles the payout", async () => {
  const sale = await releasedSale(
    fixture,
    replica.url,
    { seller: "ps-ok", buyer: "ps-b4" },
    "6000",
  );
  const payout = await payoutBecomes(fixture, sale.id, "settled");
  assert.is(fixture.paystack.executions(payout.id), 1);
  assert.is(await balance(fixture.pool, "users:ps-ok:wallet"), 0n);
});

test("pending and 500 answers go to manual review; the transfer webhook settles them later", async () => {
  fixture.paystack.script("ps-pending", "pending");
  const sale = await releasedSale(
    fixture,
    replica.url,
    { seller: "ps-pending", buyer: "ps-b5" },
    "7000",
  );
  const review = await payoutBecomes(fixture, sale.id, "manual_review");
  assert.match(review.last_error, /transfer status "pending"/);
  const settled = await webhook(fixture, replica.url, {
    event: "transfer.success",
    data: { reference: review.id, amount: 7000, currency: "USD", transfer_code: "TRF_x" },
  });
  expectStatus(settled, 200);
  assert.is(settled.body.outcome, "applied");
  await payoutBecomes(fixture, sale.id, "settled");
  assert.is(await balance(fixture.pool, "platform:escrow:payouts-in-flight"), 0n);

  fixture.paystack.script("ps-500", "error");
  const other = await releasedSale(
    fixture,
    replica.url,
    { seller: "ps-500", buyer: "ps-b6" },
    "8000",
  );
  const unsure = await payoutBecomes(fixture, other.id, "manual_review");
  assert.match(unsure.last_error, /500/);
  assert.is(unsure.attempts, 1);
});

test("a failed transfer returns the money to the seller's wallet", async () => {
  fixture.paystack.script("ps-closed", "failed");
  const sale = await releasedSale(
    fixture,
    replica.url,
    { seller: "ps-closed", buyer: "ps-b7" },
    "9000",
  );
  await payoutBecomes(fixture, sale.id, "failed");
  assert.is(await balance(fixture.pool, "users:ps-closed:wallet"), 9000n);
  const late = await webhook(fixture, replica.url, {
    event: "transfer.success",
    data: { reference: (await payoutBecomes(fixture, sale.id, "failed")).id },
  });
  expectStatus(late, 200);
  assert.is(late.body.outcome, "ignored");
  assert.is(await balance(fixture.pool, "users:ps-closed:wallet"), 9000n);
});

test("a provider that refuses connections is retried with the same reference and pays once", async () => {
  await fixture.paystack.stop();
  try {
    const sale = await releasedSale(
      fixture,
      replica.url,
      { seller: "ps-down", buyer: "ps-b8" },
      "1100",
    );
    const waiting = await eventually("a refused send recorded", async () => {
      const row = (
        await fixture.pool.query(
          "SELECT id, status, attempts, last_error FROM escrow_payouts WHERE transaction_id = $1",
          [sale.id],
        )
      ).rows[0];
      return row?.attempts >= 1 && row.status === "queued" ? row : undefined;
    });
    assert.match(waiting.last_error, /could not connect/);
    await fixture.paystack.start();
    const settled = await payoutBecomes(fixture, sale.id, "settled");
    assert.is(fixture.paystack.executions(settled.id), 1);
  } finally {
    await fixture.paystack.start().catch(() => undefined);
  }
});

test.run();
