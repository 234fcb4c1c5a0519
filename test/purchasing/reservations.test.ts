/**
 * @module Stuck reservations (seed 001, scenario 2): a provider that does not answer in time
 * leaves the purchase pending with its funds reserved; past the deadline,
 * `POST /api/cron/reconcile` with `Authorization: Bearer $CRON_SECRET` asks the provider and
 * captures the purchase when the order exists or releases the funds when it does not, and
 * answers what it did.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { waitUntil } from "../harness/process";
import {
  asUser,
  call,
  cronSecret,
  fundWallet,
  metricValue,
  type PurchasingFixture,
  purchase,
  startPurchasingFixture,
  usdBalance,
} from "./purchasing-fixture";

let fixture: PurchasingFixture;
let user: Record<string, string>;
let url: string;
const wallet = "users:bea:wallet";
const asCron = { authorization: `Bearer ${cronSecret}` };

test.before(async () => {
  fixture = await startPurchasingFixture({
    env: { PROVIDER_TIMEOUT_MS: "1000", RESERVATION_DEADLINE_MS: "1500" },
  });
  url = fixture.replicas[0]!.url;
  user = await asUser(fixture.issuer, "bea");
  await fundWallet(url, "bea", 10_000n);
});

test.after(async () => {
  await fixture?.stop();
});

async function pendingPastDeadline(id: string): Promise<void> {
  await waitUntil("the reservation is past its deadline", async () => {
    const row = await fixture.pool.query(
      "SELECT 1 FROM purchases WHERE id = $1 AND status = 'pending' AND deadline_at < now()",
      [id],
    );
    return row.rowCount === 1;
  });
}

/** A purchase left pending on a provider that answers too late, and then without the order. */
async function pendingWithoutOrder(amount: bigint) {
  const { a } = fixture.providers;
  a.setMode("error");
  a.setDelayMs(2_500);
  const answer = await purchase(url, user, "bea", amount);
  assert.is(answer.status, 202, JSON.stringify(answer.body));
  a.setDelayMs(0);
  a.setMode("complete");
  return answer;
}

test("the cron endpoint refuses a caller without the secret", async () => {
  const refused: Record<string, string>[] = [{}, { authorization: "Bearer not-the-cron-000" }];
  for (const headers of refused) {
    const answer = await call(url, "POST", "/api/cron/reconcile", undefined, headers);
    assert.is(answer.status, 401);
    assert.match(answer.headers.get("content-type") ?? "", /problem\+json/);
  }
});

test("a timed-out purchase stays reserved, then the cron run captures it when the provider has the order", async () => {
  fixture.providers.a.setMode("hang");
  const answer = await purchase(url, user, "bea", 300n);
  assert.is(answer.status, 202, JSON.stringify(answer.body));
  assert.is(answer.body.status, "pending");
  assert.is(answer.body.provider, "a");
  assert.is(await usdBalance(url, wallet), 9_700n, "reserved");
  assert.is(await usdBalance(url, "platform:purchases:reserved"), 300n);
  await pendingPastDeadline(answer.body.id);

  const report = await call(url, "POST", "/api/cron/reconcile", undefined, asCron);
  assert.is(report.status, 200);
  assert.equal(
    { stuck: report.body.stuck, completed: report.body.completed, after: report.body.stuckAfter },
    { stuck: 1, completed: 1, after: 0 },
  );
  const done = await call(url, "GET", `/v1/purchases/${answer.body.id}`, undefined, user);
  assert.is(done.body.status, "completed");
  assert.is(await usdBalance(url, wallet), 9_700n);
  assert.is(await usdBalance(url, "platform:purchases:reserved"), 0n);
  assert.is(await metricValue(url, "purchase_reservations_stuck"), 0);
  fixture.providers.a.setMode("complete");
});

test("the cron run releases a stuck reservation whose provider never took the order", async () => {
  const answer = await pendingWithoutOrder(200n);
  await pendingPastDeadline(answer.body.id);
  assert.is(await usdBalance(url, wallet), 9_500n);

  const report = await call(url, "POST", "/api/cron/reconcile", undefined, asCron);
  assert.is(report.body.released, 1, JSON.stringify(report.body));
  const done = await call(url, "GET", `/v1/purchases/${answer.body.id}`, undefined, user);
  assert.is(done.body.status, "failed");
  assert.is(await usdBalance(url, wallet), 9_700n, "funds back in the wallet");
  const again = await call(url, "POST", "/api/cron/reconcile", undefined, asCron);
  assert.equal([again.body.stuck, again.body.released], [0, 0], "nothing is released twice");
});

test("a pending purchase can be cancelled: funds released unless the provider has it", async () => {
  const answer = await pendingWithoutOrder(100n);
  const cancelled = await call(
    url,
    "POST",
    `/v1/purchases/${answer.body.id}/cancel`,
    undefined,
    user,
  );
  assert.is(cancelled.status, 200, JSON.stringify(cancelled.body));
  assert.is(cancelled.body.status, "cancelled");
  assert.is(await usdBalance(url, wallet), 9_700n);
  const twice = await call(url, "POST", `/v1/purchases/${answer.body.id}/cancel`, undefined, user);
  assert.is(twice.status, 409);
  const other = await asUser(fixture.issuer, "cid");
  const foreign = await call(
    url,
    "POST",
    `/v1/purchases/${answer.body.id}/cancel`,
    undefined,
    other,
  );
  assert.is(foreign.status, 404, "another caller's purchase is not disclosed");
});

test.run();
