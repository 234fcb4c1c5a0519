/**
 * @module A sale end to end on real PostgreSQL and Redis with the Paystack-style provider as
 * a real HTTP server: list, buy, pay (signed webhook), reveal (refused before payment, to the
 * seller and to strangers), sign, confirm, release, seller payout; the ledger, the vault's
 * reveal record, the audit chain and the database's own refusal of an illegal move.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { verifyAudit } from "../../services/kit/audit";
import {
  balance,
  defaultCredentials,
  type EscrowFixture,
  type EscrowReplica,
  eventually,
  expectStatus,
  saleSteps,
  startEscrowFixture,
} from "./escrow-fixture";

let fixture: EscrowFixture;
let replica: EscrowReplica;
let steps: ReturnType<typeof saleSteps>;

test.before(async () => {
  fixture = await startEscrowFixture();
  replica = await fixture.startReplica();
  steps = saleSteps(fixture, replica.url);
});

test.after(async () => {
  await fixture?.stop();
});

test("a sale goes from listing to the seller's payout, and the money is where it should be", async () => {
  const listing = await steps.list("seller1", "50000");
  const opened = await steps.open("buyer1", listing.id);
  assert.is(opened.state, "pending_payment");
  assert.is(opened.amount, "50000");

  const early = await steps.reveal("buyer1", opened.id);
  assert.is(early.status, 409);
  assert.match(early.body.type, /transactions\/reveal-refused$/);

  const paid = await steps.pay(opened);
  expectStatus(paid, 200);
  assert.is(paid.body.outcome, "applied");
  assert.is((await steps.get("buyer1", opened.id)).body.state, "funds_held");
  assert.is(await balance(fixture.pool, "platform:escrow:held"), 50_000n);

  const bySeller = await steps.reveal("seller1", opened.id);
  assert.is(bySeller.status, 403);
  const byStranger = await steps.reveal("mallory", opened.id);
  assert.is(byStranger.status, 404);
  const revealed = await steps.reveal("buyer1", opened.id);
  expectStatus(revealed, 200);
  assert.equal(revealed.body.credentials, defaultCredentials);
  const vault = await fixture.pool.query(
    "SELECT revealed_at, revealed_to_user_id FROM credential_vaults WHERE listing_id = $1",
    [listing.id],
  );
  assert.is(vault.rows[0].revealed_to_user_id, "buyer1");
  assert.ok(vault.rows[0].revealed_at instanceof Date);

  expectStatus(await steps.sign("buyer1", opened.id), 200);
  assert.is((await steps.get("buyer1", opened.id)).body.state, "funds_held");
  const signed = await steps.sign("seller1", opened.id);
  expectStatus(signed, 200);
  assert.is(signed.body.state, "contract_signed");

  const bySellerConfirm = await steps.confirm("seller1", opened.id);
  assert.is(bySellerConfirm.status, 403);
  const released = await steps.confirm("buyer1", opened.id);
  expectStatus(released, 200);
  assert.is(released.body.state, "released");
  assert.ok(released.body.releasedAt);
  assert.is(await balance(fixture.pool, "platform:escrow:held"), 0n);

  await eventually("the seller's payout settled", async () => {
    const payout = await fixture.pool.query(
      "SELECT status FROM escrow_payouts WHERE transaction_id = $1",
      [opened.id],
    );
    return payout.rows[0]?.status === "settled";
  });
  assert.is(await balance(fixture.pool, "users:seller1:wallet"), 0n);
  assert.is(await balance(fixture.pool, "platform:escrow:payouts-in-flight"), 0n);
  assert.is(fixture.paystack.transfers.filter((t) => t.recipient === "seller1").length, 1);
  assert.is(fixture.paystack.transfers[0]!.amount, "50000");

  const moves = await fixture.pool.query(
    `SELECT before->>'state' AS from, after->>'state' AS to, actor FROM audit_log
      WHERE subject = $1 AND action = 'transaction.transition' ORDER BY id`,
    [`transactions:${opened.id}`],
  );
  assert.equal(
    moves.rows.map((row) => `${row.from}->${row.to} by ${row.actor}`),
    [
      "pending_payment->funds_held by paystack",
      "funds_held->contract_signed by seller1",
      "contract_signed->released by buyer1",
    ],
  );
  assert.is((await verifyAudit(fixture.pool)).ok, true);
});

test("the database refuses a move the state machine does not allow, whoever writes it", async () => {
  const listing = await steps.list("seller2", "1200");
  const opened = await steps.open("buyer2", listing.id);
  let refused: Error | undefined;
  try {
    await fixture.pool.query("UPDATE transactions SET state = 'released' WHERE id = $1", [
      opened.id,
    ]);
  } catch (error) {
    refused = error as Error;
  }
  assert.match(String(refused?.message), /pending_payment -> released is not allowed/);
  // Even an allowed move needs its money: funds_held without the hold's posting is refused.
  refused = undefined;
  try {
    await fixture.pool.query("UPDATE transactions SET state = 'funds_held' WHERE id = $1", [
      opened.id,
    ]);
  } catch (error) {
    refused = error as Error;
  }
  assert.match(String(refused?.message), /needs the ledger transaction/);
});

test("a listing in a sale cannot be bought twice, nor by its seller, and an Idempotency-Key opens once", async () => {
  const listing = await steps.list("seller3", "700");
  const key = crypto.randomUUID();
  const first = await steps.open("buyer3", listing.id, key);
  const again = await steps.open("buyer3", listing.id, key);
  assert.is(again.id, first.id);
  const other = await steps.as(
    "buyer4",
    "POST",
    "/api/v1/transactions",
    { listingId: listing.id },
    {
      "idempotency-key": crypto.randomUUID(),
    },
  );
  assert.is(other.status, 409);
  assert.match(other.body.type, /listings\/unavailable$/);
  const own = await steps.as(
    "seller3",
    "POST",
    "/api/v1/transactions",
    { listingId: listing.id },
    {
      "idempotency-key": crypto.randomUUID(),
    },
  );
  assert.is(own.status, 409);
  const count = await fixture.pool.query(
    "SELECT count(*)::int AS n FROM transactions WHERE listing_id = $1",
    [listing.id],
  );
  assert.is(count.rows[0].n, 1);
});

test.run();
