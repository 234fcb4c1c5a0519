/**
 * @module Payments through the kit's hostile-input gate (test/kit/hostile-gate.ts): requests
 * generated from its `/openapi.json` and the hostile classes, as a signed-in user, with the
 * admin token, and with signed deposits, against a real replica (PostgreSQL, Redis, the test
 * PSP). Then the ledger's invariants: every currency sums to zero, balances equal their
 * entries, no non-negative account below zero, in-flight holds exactly the open payouts,
 * and another user's wallet was never debited.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { signWebhook } from "../../services/kit/webhook-signature";
import { findImbalances } from "../../services/payments/reconciliation";
import { runHostileGate } from "../kit/hostile-gate";
import {
  asAdmin,
  bearerFor,
  fundedWallet,
  type PaymentsFixture,
  type PaymentsReplica,
  startPaymentsFixture,
  webhookSecret,
} from "./payments-fixture";

let fixture: PaymentsFixture;
let replica: PaymentsReplica;
const own = "users:gate:wallet";
const victim = "users:victim:wallet";
const accounts = [
  own,
  "users:gate:savings",
  victim,
  "users:gate:missing",
  "platform:payouts:in-flight",
  "platform:psp:clearing",
  "platform:fees",
];

test.before(async () => {
  fixture = await startPaymentsFixture();
  // Workers idle during the gate, so that only requests move money.
  replica = await fixture.startReplica({
    PAYOUT_INTERVAL_MS: "3600000",
    RECONCILIATION_INTERVAL_MS: "3600000",
  });
  await fundedWallet(replica.url, own, 1_000_000n);
  await fundedWallet(replica.url, "users:gate:savings", 10n);
  await fundedWallet(replica.url, victim, 50_000n);
});

test.after(async () => {
  await fixture?.stop();
});

/** The ledger as refused requests must leave it. */
async function ledgerSnapshot(): Promise<string> {
  const result = await fixture.pool.query(
    `SELECT (SELECT count(*) FROM ledger_transactions) AS transactions,
            (SELECT count(*) FROM payouts) AS payouts,
            (SELECT count(*) FROM accounts) AS accounts,
            (SELECT coalesce(sum(abs(amount)), 0)::text FROM balances) AS moved`,
  );
  return JSON.stringify(result.rows[0]);
}

async function ledgerInvariants(): Promise<void> {
  assert.equal(await findImbalances(fixture.pool), [], "reconciliation finds nothing");
  const negative = await fixture.pool.query(
    "SELECT account, currency, amount FROM balances WHERE NOT allow_negative AND amount < 0",
  );
  assert.equal(negative.rows, [], "no non-negative account below zero");
  const inFlight = await fixture.pool.query(
    `SELECT b.currency, b.amount::text AS held, coalesce(p.open, 0)::text AS open
       FROM balances b
       LEFT JOIN (SELECT currency, sum(amount) AS open FROM payouts
                   WHERE status IN ('queued', 'sending', 'manual_review') GROUP BY currency) p
         ON p.currency = b.currency
      WHERE b.account = 'platform:payouts:in-flight' AND b.amount::numeric <> coalesce(p.open, 0)`,
  );
  assert.equal(inFlight.rows, [], "in-flight holds exactly the open payouts");
  const debited = await fixture.pool.query(
    "SELECT count(*)::int AS n FROM ledger_entries WHERE account = $1 AND amount < 0",
    [victim],
  );
  assert.is(debited.rows[0].n, 0, "another user's wallet was never debited");
}

const amount = fc.oneof(
  fc.stringMatching(/^[1-9][0-9]{0,18}$/),
  fc.constantFrom("9223372036854775807", "9000000000000000000", "0", "-5", "1.5"),
);

async function ledgerTransactions(): Promise<number> {
  const result = await fixture.pool.query("SELECT count(*)::int AS n FROM ledger_transactions");
  return result.rows[0].n;
}

/** One run of the gate: every request generated and checked, then the invariants. */
async function runGate() {
  return runHostileGate({
    url: replica.url,
    credentials: {
      bearer: (await bearerFor("gate")).authorization,
      adminBearer: asAdmin.authorization,
    },
    interestingStrings: [...accounts, "USD", "EUR"],
    fields: {
      source: [own, own, "users:gate:savings", victim, "platform:payouts:in-flight"],
      target: [victim, "users:gate:savings", own, "platform:payouts:in-flight", "platform:fees"],
      account: [own, own, victim, "platform:payouts:in-flight", "users:gate:new"],
      name: ["users:gate:new", "users:gate:savings", "users:victim:other", "platform:fees"],
      amount: ["1", "25", "700", "999999", "9223372036854775807"],
      currency: ["USD", "USD", "EUR"],
      destination: ["DE89370400440532013000"],
      decision: ["confirm_sent", "refund_failed"],
      reason: ["gateway confirmed settlement"],
    },
    bodies: {
      "POST /v1/webhooks/deposits": fc.record({
        reference: fc.oneof(fc.uuid(), fc.constantFrom("dep-1", "dep-\u0000", "\ud800")),
        account: fc.constantFrom(...accounts),
        amount,
        currency: fc.constantFrom("USD", "EUR", "usd", "U\u0000SD"),
      }),
    },
    // Deposits are signed like the PSP's (the gate's bodies are exactly what is sent).
    sign: (operation, raw): Record<string, string> =>
      operation === "POST /v1/webhooks/deposits"
        ? { "x-webhook-signature": signWebhook(webhookSecret, raw) }
        : {},
    snapshot: ledgerSnapshot,
    invariants: ledgerInvariants,
    runs: Number(process.env.BREAKWATER_GATE_RUNS ?? 400),
    timeLimitMs: 150_000,
  });
}

test("hostile requests from the OpenAPI document: no 5xx, problem+json, documented statuses, invariants hold", async () => {
  const transactionsBefore = await ledgerTransactions();
  const seen = new Set<string>();
  // The generated requests must also do what the routes are for, so the invariants are tested
  // on a ledger that moved; a run whose random mix moved nothing is followed by another (each
  // run is checked in full, so a retry never hides a finding).
  for (let round = 0; round < 3; round += 1) {
    const report = await runGate();
    console.log(JSON.stringify(report));
    for (const operation of report.operations) seen.add(operation);
    if ((await ledgerTransactions()) > transactionsBefore) break;
  }
  for (const operation of [
    "POST /v1/transfers",
    "POST /v1/payouts",
    "POST /v1/webhooks/deposits",
  ]) {
    assert.ok(seen.has(operation), operation);
  }
  assert.ok((await ledgerTransactions()) > transactionsBefore, "some requests moved money");
});

test.run();
