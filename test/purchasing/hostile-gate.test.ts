/**
 * @module Purchasing through the kit's hostile-input gate (test/kit/hostile-gate.ts): requests
 * generated from its `/openapi.json` and the hostile classes, as a signed-in user, with the
 * admin token and the cron secret, against a real replica and real providers. Then the
 * ledger's invariants: every currency sums to zero, no non-negative account below zero, the
 * reserved balance holds exactly the pending purchases, and another user's wallet was never
 * debited.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runHostileGate } from "../kit/hostile-gate";
import { assertLedgerBalanced } from "../kit/ledger-invariants";
import {
  adminToken,
  asUser,
  cronSecret,
  fundWallet,
  type PurchasingFixture,
  startPurchasingFixture,
} from "./purchasing-fixture";

let fixture: PurchasingFixture;
const own = "users:gate:wallet";
const victim = "users:victim:wallet";

test.before(async () => {
  fixture = await startPurchasingFixture();
  await fundWallet(fixture.replicas[0]!.url, "gate", 1_000_000n);
  await fundWallet(fixture.replicas[0]!.url, "victim", 50_000n);
});

test.after(async () => {
  await fixture?.stop();
});

async function ledgerSnapshot(): Promise<string> {
  const result = await fixture.pool.query(
    `SELECT (SELECT count(*) FROM ledger_transactions) AS transactions,
            (SELECT count(*) FROM purchases) AS purchases,
            (SELECT count(*) FROM providers) AS providers,
            (SELECT coalesce(sum(abs(amount)), 0)::text FROM balances) AS moved`,
  );
  return JSON.stringify(result.rows[0]);
}

async function ledgerInvariants(): Promise<void> {
  await assertLedgerBalanced(fixture.pool);
  const reserved = await fixture.pool.query(
    `SELECT b.currency FROM balances b
       LEFT JOIN (SELECT currency, sum(amount) AS open FROM purchases WHERE status = 'pending'
                   GROUP BY currency) p ON p.currency = b.currency
      WHERE b.account = 'platform:purchases:reserved' AND b.amount::numeric <> coalesce(p.open, 0)`,
  );
  assert.equal(reserved.rows, [], "reserved holds exactly the pending purchases");
  const debited = await fixture.pool.query(
    "SELECT count(*)::int AS n FROM ledger_entries WHERE account = $1 AND amount < 0",
    [victim],
  );
  assert.is(debited.rows[0].n, 0, "another user's wallet was never debited");
}

test("hostile requests from the OpenAPI document: no 5xx, problem+json, documented statuses, invariants hold", async () => {
  const report = await runHostileGate({
    url: fixture.replicas[0]!.url,
    credentials: {
      bearer: (await asUser(fixture.issuer, "gate")).authorization!,
      adminBearer: `Bearer ${adminToken}`,
      cronBearer: `Bearer ${cronSecret}`,
    },
    interestingStrings: [own, victim, "platform:purchases:reserved", "a", "USD"],
    fields: {
      account: [own, own, victim, "platform:purchases:reserved", "users:gate:new"],
      amount: ["1", "25", "700", "999999", "9223372036854775807"],
      currency: ["USD", "USD", "EUR"],
      item: ["sku-1"],
      name: ["a", "b", "zz-new"],
      reference: ["credit-1", "credit-2"],
      reason: ["gate credit for a test"],
    },
    snapshot: ledgerSnapshot,
    invariants: ledgerInvariants,
    runs: Number(process.env.BREAKWATER_GATE_RUNS ?? 300),
    timeLimitMs: 120_000,
  });
  console.log(JSON.stringify(report));
  for (const operation of ["POST /v1/purchases", "POST /v1/purchases/{id}/cancel"]) {
    assert.ok(report.operations.includes(operation), operation);
  }
});

test.run();
