/**
 * @module PayoutThrottle across two running payments replicas (shared PostgreSQL and Redis):
 * set through the admin API and acknowledged by both, it bounds the payouts each window
 * accepts across the replicas together, refuses the others with 429 naming the control and
 * ticket with Retry-After, leaves other currencies alone, and lifting it restores creation.
 */
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  acknowledgedBy,
  asAdmin,
  call,
  fundedWallet,
  type PaymentsFixture,
  type PaymentsReplica,
  requestPayout,
  startPaymentsFixture,
} from "./payments-fixture";

let fixture: PaymentsFixture;
let replicas: PaymentsReplica[];
const wallet = "users:h1:wallet";
const throttleId = "payoutthrottle.payments.psp-degraded";
const ratePerMinute = 3;

test.before(async () => {
  fixture = await startPaymentsFixture();
  replicas = [await fixture.startReplica(), await fixture.startReplica()];
  await fundedWallet(replicas[0]!.url, wallet, 100_000n, "USD");
  await fundedWallet(replicas[0]!.url, wallet, 100_000n, "EUR");
});

test.after(async () => {
  await fixture?.stop();
});

function payout(replica: PaymentsReplica, currency: string) {
  return requestPayout(replica.url, wallet, currency, "10");
}

/** Wait until both live replicas have acknowledged at least `version`, as the operator does. */
function acknowledgedByAll(version: number) {
  return acknowledgedBy(replicas[1]!.url, 2, version);
}

/** PUT a PayoutThrottle named `name` through replica 0's admin API. */
function putThrottle(name: string, spec: Record<string, unknown>, reason: string, ticket: string) {
  return call(
    replicas[0]!.url,
    "PUT",
    `/admin/v1/controls/payoutthrottle.payments.${name}`,
    {
      kind: "PayoutThrottle",
      spec,
      source: { uid: randomUUID(), generation: 1, namespace: "payments", name },
      reason,
      ticket,
      actor: "alice",
    },
    asAdmin,
  );
}

test("under a throttle the replicas together accept at most the rate per window; the rest get 429", async () => {
  const put = await putThrottle(
    "psp-degraded",
    { scope: { currencies: ["USD"] }, rate: ratePerMinute, per: "Minute" },
    "the PSP answers slowly and fails one payout in three",
    "INC-4242",
  );
  assert.is(put.status, 200, JSON.stringify(put.body));
  await acknowledgedByAll(put.body.version);

  const started = Date.now();
  const answers = [];
  for (let index = 0; index < 10; index += 1) {
    answers.push(await payout(replicas[index % 2]!, "USD"));
  }
  // A window starts with its first payout and lasts a minute: a slow machine may reach a
  // second window, never more payouts than the windows it spanned allow.
  const windows = 1 + Math.floor((Date.now() - started) / 60_000);
  const accepted = answers.filter((answer) => answer.status === 201);
  const refused = answers.filter((answer) => answer.status === 429);
  assert.is(accepted.length + refused.length, answers.length, JSON.stringify(answers[0]?.body));
  assert.ok(accepted.length >= ratePerMinute, `accepted ${accepted.length}`);
  assert.ok(accepted.length <= ratePerMinute * windows, `accepted ${accepted.length}`);
  // Both replicas refused: the count is shared, not per replica.
  assert.ok(refused.length >= 10 - ratePerMinute * windows);
  for (const answer of refused) {
    assert.match(answer.headers.get("content-type") ?? "", /problem\+json/);
    assert.match(answer.body.type, /payouts\/throttled$/);
    assert.is(answer.body.control, throttleId);
    assert.is(answer.body.kind, "PayoutThrottle");
    assert.is(answer.body.ticket, "INC-4242");
    const retryAfter = Number(answer.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
  }

  // Another currency is outside the throttle's scope: all of its payouts are accepted.
  for (let index = 0; index < 5; index += 1) {
    assert.is((await payout(replicas[index % 2]!, "EUR")).status, 201);
  }
});

test("lifting the throttle restores payout creation at once", async () => {
  const lifted = await call(
    replicas[1]!.url,
    "DELETE",
    `/admin/v1/controls/${throttleId}`,
    { actor: "alice", reason: "the PSP recovered", ticket: "INC-4242" },
    asAdmin,
  );
  assert.is(lifted.status, 200);
  await acknowledgedByAll(lifted.body.version);
  for (let index = 0; index < 6; index += 1) {
    assert.is((await payout(replicas[index % 2]!, "USD")).status, 201);
  }
});

test("a rate of 0 refuses every payout in scope, on every currency when none is named", async () => {
  const put = await putThrottle(
    "stop",
    { rate: 0, per: "Second" },
    "the PSP is down for every currency",
    "INC-4243",
  );
  assert.is(put.status, 200, JSON.stringify(put.body));
  await acknowledgedByAll(put.body.version);
  for (const currency of ["USD", "EUR"]) {
    const refused = await payout(replicas[1]!, currency);
    assert.is(refused.status, 429);
    assert.is(refused.body.ticket, "INC-4243");
    assert.is(refused.headers.get("retry-after"), "1");
  }
  const lifted = await call(
    replicas[0]!.url,
    "DELETE",
    "/admin/v1/controls/payoutthrottle.payments.stop",
    undefined,
    asAdmin,
  );
  await acknowledgedByAll(lifted.body.version);
  assert.is((await payout(replicas[1]!, "EUR")).status, 201);
});

test("a spec the kind refuses is a 422 naming the field", async () => {
  const put = await putThrottle(
    "bad",
    { rate: 5, per: "Hour" },
    "an hourly rate is not offered",
    "INC-4244",
  );
  assert.is(put.status, 422);
  assert.match(JSON.stringify(put.body), /per/);
});

test.run();
