/**
 * @module Escrow through the kit's hostile-input gate (test/kit/hostile-gate.ts): requests
 * generated from its `/openapi.json` and the hostile classes (logins and OTPs, listings,
 * transactions, reveals, disputes, admin releases and refunds, signed and unsigned provider
 * webhooks) against a real replica, as a trader who is also a super admin and with the admin
 * token. Then the ledger's invariants: every currency sums to zero, no non-negative account
 * below zero, `platform:escrow:held` holds exactly the transactions whose funds are held,
 * and another user's wallet was never debited.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { escrowScopes } from "../../services/escrow/escrow-context";
import { signWebhook } from "../../services/kit/webhook-signature";
import { runHostileGate } from "../kit/hostile-gate";
import { assertLedgerBalanced } from "../kit/ledger-invariants";
import {
  adminToken,
  type EscrowFixture,
  type EscrowReplica,
  heldSale,
  paystackSecret,
  startEscrowFixture,
} from "./escrow-fixture";

let fixture: EscrowFixture;
let replica: EscrowReplica;
let heldId: string;
const victim = "users:gate-victim:wallet";

test.before(async () => {
  fixture = await startEscrowFixture();
  replica = await fixture.startReplica();
  const held = await heldSale(fixture, replica.url, { seller: "gate-seller", buyer: "gate" });
  heldId = String(held.id);
});

test.after(async () => {
  await fixture?.stop();
});

/**
 * What a refused request must not change. The payout worker settles released payouts in the
 * background (after the release answered), so its postings are left out; the release's own
 * posting and the payout's reservation are in.
 */
async function snapshot(): Promise<string> {
  const result = await fixture.pool.query(
    `WITH requested AS (
       SELECT id FROM ledger_transactions
        WHERE reference NOT LIKE 'escrow-payout:%' OR reference LIKE 'escrow-payout:%:reserve')
     SELECT (SELECT count(*) FROM requested) AS postings,
            (SELECT coalesce(sum(abs(amount)), 0)::text FROM ledger_entries
              WHERE transaction_id IN (SELECT id FROM requested)) AS moved,
            (SELECT string_agg(id || state, ',' ORDER BY id) FROM transactions) AS states,
            (SELECT count(*) FROM listings) AS listings,
            (SELECT count(*) FROM disputes) AS disputes,
            (SELECT count(*) FROM escrow_accounts) AS accounts`,
  );
  return JSON.stringify(result.rows[0]);
}

async function invariants(): Promise<void> {
  await assertLedgerBalanced(fixture.pool);
  const held = await fixture.pool.query(
    `SELECT coalesce((SELECT amount FROM balances WHERE account = 'platform:escrow:held' AND currency = 'USD'), 0)::text AS held,
            coalesce((SELECT sum(amount) FROM transactions
                       WHERE state IN ('funds_held', 'contract_signed', 'disputed')), 0)::text AS open`,
  );
  assert.is(held.rows[0].held, held.rows[0].open, "held funds match the open transactions");
  const debited = await fixture.pool.query(
    "SELECT count(*)::int AS n FROM ledger_entries WHERE account = $1 AND amount < 0",
    [victim],
  );
  assert.is(debited.rows[0].n, 0, "another user's wallet was never debited");
}

test("hostile requests from the OpenAPI document: no 5xx, problem+json, documented statuses, invariants hold", async () => {
  const both = `Bearer ${await fixture.issuer.token("gate", [escrowScopes.trade, escrowScopes.admin])}`;
  const report = await runHostileGate({
    url: replica.url,
    credentials: { bearer: both, adminBearer: `Bearer ${adminToken}` },
    interestingStrings: [victim, "platform:escrow:held", "gate", "gate-seller", heldId],
    fields: {
      id: [heldId, heldId, "7d1c1f6e-8a51-4d0f-9a1e-2f3b4c5d6e7f"],
      listingId: ["7d1c1f6e-8a51-4d0f-9a1e-2f3b4c5d6e7f"],
      amount: ["1", "2500", "999999", "9223372036854775807"],
      userId: ["gate", "gate-new", "gate-victim"],
      password: ["a long enough password", "short"],
      code: ["123456", "000000"],
      reason: ["gate test: stuck transaction resolved"],
      decision: ["buyer_at_fault", "seller_at_fault", "platform_issue", "unclear"],
    },
    sign: (operation, rawBody): Record<string, string> =>
      operation.includes("/webhooks/")
        ? { "x-paystack-signature": signWebhook(paystackSecret, rawBody, "sha512") }
        : {},
    snapshot,
    invariants,
    runs: Number(process.env.BREAKWATER_GATE_RUNS ?? 300),
    timeLimitMs: 120_000,
  });
  console.log(JSON.stringify(report));
  for (const operation of [
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/otp",
    "POST /api/v1/listings",
  ]) {
    assert.ok(report.operations.includes(operation), operation);
  }
});

test.run();
