/**
 * @module The deposit webhook against a real payments replica: signatures over the raw
 * body, replays answered with the recorded result, payload drift refused with
 * `webhook/reference-mismatch`, and racing deliveries that credit once.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { signWebhook } from "../../services/kit/webhook-signature";
import {
  balanceOf,
  call,
  type PaymentsFixture,
  type PaymentsReplica,
  postDeposit,
  startPaymentsFixture,
  webhookSecret,
} from "./payments-fixture";

let fixture: PaymentsFixture;
let replica: PaymentsReplica;
const wallet = "users:w1:wallet";

test.before(async () => {
  fixture = await startPaymentsFixture();
  replica = await fixture.startReplica();
  assert.is((await call(replica.url, "POST", "/v1/accounts", { name: wallet })).status, 201);
});

test.after(async () => {
  await fixture?.stop();
});

const deposit = { reference: "dep-1", account: wallet, amount: "2500", currency: "USD" };

test("a missing, wrong or re-serialized signature is 401 and credits nothing", async () => {
  const raw = JSON.stringify(deposit);
  const missing = await fetch(`${replica.url}/v1/webhooks/deposits`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw,
  });
  assert.is(missing.status, 401);
  assert.match(missing.headers.get("content-type") ?? "", /problem\+json/);
  assert.is(
    (await postDeposit(replica.url, deposit, signWebhook("another-secret-0123456789", raw))).status,
    401,
  );
  // Signed over other bytes (a space added): the signature covers the raw body exactly.
  const spaced = await fetch(`${replica.url}/v1/webhooks/deposits`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-webhook-signature": signWebhook(webhookSecret, raw),
    },
    body: `${raw} `,
  });
  assert.is(spaced.status, 401);
  assert.is(await balanceOf(replica.url, wallet), 0n);
});

test("a signed deposit credits the wallet from the PSP clearing account", async () => {
  const answer = await postDeposit(replica.url, deposit);
  assert.is(answer.status, 200);
  assert.is(answer.body.amount, "2500");
  assert.is(await balanceOf(replica.url, wallet), 2500n);
  assert.is(await balanceOf(replica.url, "platform:psp:clearing"), -2500n);
});

test("the same reference and payload is a replay: same answer, no second credit", async () => {
  const first = await postDeposit(replica.url, deposit);
  // Same content, other key order and spacing: still the same payload.
  const reordered = { currency: "USD", amount: "2500", account: wallet, reference: "dep-1" };
  const second = await postDeposit(replica.url, reordered);
  assert.is(first.status, 200);
  assert.is(second.status, 200);
  assert.equal(second.body, first.body);
  assert.is(second.headers.get("webhook-replayed"), "true");
  assert.is(await balanceOf(replica.url, wallet), 2500n);
});

test("the same reference with another payload is 409 webhook/reference-mismatch", async () => {
  const drift = await postDeposit(replica.url, { ...deposit, amount: "9999" });
  assert.is(drift.status, 409);
  assert.match(drift.body.type, /webhook\/reference-mismatch$/);
  assert.is(drift.body.reference, "dep-1");
  const extra = await postDeposit(replica.url, { ...deposit, note: "changed" });
  assert.is(extra.status, 409);
  assert.is(await balanceOf(replica.url, wallet), 2500n);
});

test("ten racing deliveries of a new reference credit once and all answer the same", async () => {
  const racing = { reference: "dep-race", account: wallet, amount: "10", currency: "USD" };
  const answers = await Promise.all(
    Array.from({ length: 10 }, () => postDeposit(replica.url, racing)),
  );
  assert.ok(answers.every((answer) => answer.status === 200));
  assert.ok(
    answers.every((answer) => answer.body.transactionId === answers[0]!.body.transactionId),
  );
  assert.is(await balanceOf(replica.url, wallet), 2510n);
});

test("a signed but invalid payload is 422; an unknown account is 422 and credits nothing", async () => {
  const invalid = await postDeposit(replica.url, {
    reference: "dep-bad",
    account: wallet,
    amount: 5,
    currency: "USD",
  });
  assert.is(invalid.status, 422);
  assert.match(invalid.body.type, /request\/validation$/);
  const unknown = await postDeposit(replica.url, {
    reference: "dep-ghost",
    account: "users:ghost:wallet",
    amount: "5",
    currency: "USD",
  });
  assert.is(unknown.status, 422);
  assert.match(unknown.body.type, /accounts\/not-found$/);
});

test("deposits whose sum leaves a balance's 64-bit range are 422, not an overflow; NUL in the payload is 422", async () => {
  const big = "9000000000000000000";
  const rich = "users:w2:wallet";
  assert.is((await call(replica.url, "POST", "/v1/accounts", { name: rich })).status, 201);
  const first = await postDeposit(replica.url, {
    reference: "dep-big-1",
    account: rich,
    amount: big,
    currency: "XAU",
  });
  assert.is(first.status, 200);
  const second = await postDeposit(replica.url, {
    reference: "dep-big-2",
    account: rich,
    amount: big,
    currency: "XAU",
  });
  assert.is(second.status, 422);
  assert.match(second.body.type, /ledger\/balance-out-of-range$/);
  assert.is(second.body.field, "amount");
  assert.is(await balanceOf(replica.url, rich, "XAU"), BigInt(big));
  const nul = await postDeposit(replica.url, {
    reference: "dep-\u0000",
    account: rich,
    amount: "1",
    currency: "USD",
    note: "x",
  });
  assert.is(nul.status, 422);
  assert.is(nul.body.errors[0].path, "reference");
});

test.run();
