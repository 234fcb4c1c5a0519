/**
 * @module Payouts end to end against the test PSP (a real HTTP server): success settles,
 * failure refunds, timeout and ambiguous answers go to manual review; the manual review API
 * (admin only, validated; a decision is a person's, authorized by the real API server's RBAC
 * and audited under their name) with both decisions and a refused second resolve; the
 * retry of an unreachable PSP with the same idempotency reference; the metrics by scrape.
 */
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { verifyAudit } from "../../services/kit/audit";
import { createPspGateway } from "../../services/kit/psp-gateway";
import {
  asAdmin,
  balanceOf,
  call,
  eventually,
  fundedWallet,
  metricValue,
  type PaymentsFixture,
  type PaymentsReplica,
  startPaymentsFixture,
} from "./payments-fixture";
import { type ResolverCluster, startResolverCluster } from "./payout-resolvers";

let fixture: PaymentsFixture;
let replica: PaymentsReplica;
let people: ResolverCluster;
const wallet = "users:p1:wallet";
const inFlight = "platform:payouts:in-flight";
const clearing = "platform:psp:clearing";

test.before(async () => {
  [fixture, people] = await Promise.all([
    startPaymentsFixture({ pspTimeoutMs: 500 }),
    startResolverCluster(),
  ]);
  replica = await fixture.startReplica(people.env);
  await fundedWallet(replica.url, wallet, 100_000n);
});

test.after(async () => {
  await fixture?.stop();
  await people?.stop();
});

async function requestPayout(destination: string, amount = "1000", key = randomUUID()) {
  const answer = await call(
    replica.url,
    "POST",
    "/v1/payouts",
    { account: wallet, amount, currency: "USD", destination },
    { "idempotency-key": key },
  );
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  return answer.body as { id: string; status: string };
}

async function settledAs(id: string, status: string) {
  return eventually(`payout ${id} ${status}`, async () => {
    const answer = await call(replica.url, "GET", `/v1/payouts/${id}`);
    return answer.body.status === status ? answer.body : undefined;
  });
}

const scrape = async () => (await call(replica.url, "GET", "/metrics")).body as string;

test("a PSP success settles: the money goes from the wallet through in-flight to clearing", async () => {
  fixture.psp.script("acct-ok", "succeed");
  const walletBefore = await balanceOf(replica.url, wallet);
  const clearingBefore = await balanceOf(replica.url, clearing);
  const payout = await requestPayout("acct-ok", "1500");
  assert.is(payout.status, "queued");
  assert.is(await balanceOf(replica.url, wallet), walletBefore - 1500n, "reserved at once");
  const settled = await settledAs(payout.id, "settled");
  assert.match(settled.pspPayoutId, /^psp_/);
  assert.is(await balanceOf(replica.url, inFlight), 0n);
  assert.is(await balanceOf(replica.url, clearing), clearingBefore + 1500n);
  const sent = fixture.psp.requests.filter((request) => request.reference === payout.id);
  assert.is(sent.length, 1);
  assert.is(sent[0]!.idempotencyKey, payout.id, "the payout id is the PSP idempotency reference");
  assert.is(sent[0]!.amount, "1500");
});

test("a PSP decline refunds the wallet in full", async () => {
  fixture.psp.script("acct-closed", "fail");
  const before = await balanceOf(replica.url, wallet);
  const payout = await requestPayout("acct-closed", "700");
  const refunded = await settledAs(payout.id, "refunded");
  assert.match(refunded.lastError, /declined/);
  assert.is(await balanceOf(replica.url, wallet), before);
  assert.is(await balanceOf(replica.url, inFlight), 0n);
});

test("timeout, 5xx and malformed answers hold the payout for manual review with its funds in flight", async () => {
  fixture.psp.script("acct-slow", "timeout");
  fixture.psp.script("acct-500", "ambiguous");
  fixture.psp.script("acct-garbled", "malformed");
  const slow = await requestPayout("acct-slow", "100");
  const broken = await requestPayout("acct-500", "200");
  const garbled = await requestPayout("acct-garbled", "300");
  for (const payout of [slow, broken, garbled]) await settledAs(payout.id, "manual_review");
  assert.is(await balanceOf(replica.url, inFlight), 600n);
  const held = await settledAs(slow.id, "manual_review");
  assert.match(held.lastError, /no answer from the PSP within 500 ms/);
  await eventually(
    "queue size gauge",
    async () => metricValue(await scrape(), "payout_manual_review_queue_size") === 3,
  );
  assert.is(
    metricValue(await scrape(), "payout_manual_review_transitions_total", { action: "entered" }),
    3,
  );
  // Held payouts are not sent again.
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.is(fixture.psp.requests.filter((request) => request.reference === broken.id).length, 1);
});

test("the manual review queue is admin only, validated, and paged oldest first", async () => {
  const anonymous = await call(replica.url, "GET", "/v1/payouts/manual-review?limit=50&offset=0");
  assert.is(anonymous.status, 401);
  assert.match(anonymous.headers.get("content-type") ?? "", /problem\+json/);
  const wrong = await call(replica.url, "GET", "/v1/payouts/manual-review", undefined, {
    authorization: "Bearer not-the-token-000000",
  });
  assert.is(wrong.status, 401);
  for (const query of ["limit=0", "limit=201", "limit=abc", "offset=-1"]) {
    const bad = await call(
      replica.url,
      "GET",
      `/v1/payouts/manual-review?${query}`,
      undefined,
      asAdmin,
    );
    assert.is(bad.status, 422, query);
  }
  const page = await call(
    replica.url,
    "GET",
    "/v1/payouts/manual-review?limit=50&offset=0",
    undefined,
    asAdmin,
  );
  assert.is(page.status, 200);
  assert.is(page.body.total, 3);
  assert.is(page.body.items.length, 3);
  assert.equal(
    page.body.items.map((item: { destination: string }) => item.destination),
    ["acct-slow", "acct-500", "acct-garbled"],
  );
  const second = await call(
    replica.url,
    "GET",
    "/v1/payouts/manual-review?limit=2&offset=2",
    undefined,
    asAdmin,
  );
  assert.equal(
    second.body.items.map((item: { destination: string }) => item.destination),
    ["acct-garbled"],
  );
});

test("confirm_sent settles, refund_failed refunds, each audited; a second resolve is 409", async () => {
  const page = await call(
    replica.url,
    "GET",
    "/v1/payouts/manual-review?limit=50&offset=0",
    undefined,
    asAdmin,
  );
  const [slow, broken] = page.body.items as { id: string; amount: string }[];
  const resolve = (id: string, body: Record<string, unknown>, headers = people.as("alice")) =>
    call(replica.url, "POST", `/v1/payouts/${id}/resolve`, body, headers);

  assert.is(
    (await resolve(slow!.id, { decision: "confirm_sent", reason: "x" }, {} as typeof asAdmin))
      .status,
    401,
  );
  // The service token lists the queue for on-call tooling but never decides: that is a person.
  const byToken = await resolve(slow!.id, { decision: "confirm_sent", reason: "x" }, asAdmin);
  assert.is(byToken.status, 401);
  assert.match(byToken.body.detail, /Kubernetes API did not accept/);
  const byBob = await resolve(
    slow!.id,
    { decision: "confirm_sent", reason: "x" },
    people.as("bob"),
  );
  assert.is(byBob.status, 403);
  assert.match(byBob.body.type, /auth\/forbidden$/);
  assert.match(byBob.body.detail, /^bob may not resolve payouts\.payments\.breakwater\.dev/);
  assert.is((await resolve(slow!.id, { decision: "maybe", reason: "x" })).status, 422);
  assert.is((await resolve(slow!.id, { decision: "confirm_sent", reason: "" })).status, 422);
  assert.is((await resolve(randomUUID(), { decision: "confirm_sent", reason: "x" })).status, 404);

  const walletBefore = await balanceOf(replica.url, wallet);
  const clearingBefore = await balanceOf(replica.url, clearing);
  const confirmed = await resolve(slow!.id, {
    decision: "confirm_sent",
    reason: "gateway confirmed settlement",
    actor: "mallory",
    ticket: "INC-7",
  });
  assert.is(confirmed.status, 200);
  assert.is(confirmed.body.status, "settled");
  assert.is(confirmed.body.resolution.actor, "alice", "who authenticated, not the body's actor");
  assert.is(await balanceOf(replica.url, clearing), clearingBefore + 100n);

  const refunded = await resolve(
    broken!.id,
    { decision: "refund_failed", reason: "gateway confirmed failure" },
    people.as("admin"),
  );
  assert.is(refunded.status, 200);
  assert.is(refunded.body.status, "refunded");
  assert.is(await balanceOf(replica.url, wallet), walletBefore + 200n);

  const again = await resolve(slow!.id, { decision: "refund_failed", reason: "changed my mind" });
  assert.is(again.status, 409);
  assert.match(again.body.type, /payouts\/not-in-review$/);
  assert.is(again.body.payoutStatus, "settled");
  assert.is(
    await balanceOf(replica.url, wallet),
    walletBefore + 200n,
    "the refused second decision moved nothing",
  );

  const audit = await fixture.pool.query(
    "SELECT actor, action, subject, reason, ticket, before->>'status' AS before, after->>'status' AS after FROM audit_log WHERE action = 'payout.resolve' ORDER BY id",
  );
  assert.equal(audit.rows, [
    {
      actor: "alice",
      action: "payout.resolve",
      subject: `payouts:${slow!.id}`,
      reason: "gateway confirmed settlement",
      ticket: "INC-7",
      before: "manual_review",
      after: "settled",
    },
    {
      actor: "admin",
      action: "payout.resolve",
      subject: `payouts:${broken!.id}`,
      reason: "gateway confirmed failure",
      ticket: null,
      before: "manual_review",
      after: "refunded",
    },
  ]);
  assert.ok((await verifyAudit(fixture.pool)).ok);

  const text = await scrape();
  assert.is(
    metricValue(text, "payout_manual_review_transitions_total", { action: "confirm_sent" }),
    1,
  );
  assert.is(
    metricValue(text, "payout_manual_review_transitions_total", { action: "refund_failed" }),
    1,
  );
  assert.is(metricValue(text, "payout_manual_review_queue_size"), 1);
});

test("concurrent resolves of one payout: exactly one wins", async () => {
  const page = await call(replica.url, "GET", "/v1/payouts/manual-review", undefined, asAdmin);
  const [garbled] = page.body.items as { id: string }[];
  const answers = await Promise.all(
    ["confirm_sent", "refund_failed", "confirm_sent", "refund_failed"].map((decision) =>
      call(
        replica.url,
        "POST",
        `/v1/payouts/${garbled!.id}/resolve`,
        { decision, reason: "race" },
        people.as("alice"),
      ),
    ),
  );
  assert.equal(answers.map((answer) => answer.status).sort(), [200, 409, 409, 409]);
  assert.is(await balanceOf(replica.url, inFlight), 0n);
});

test("an unreachable PSP is retried with the same reference and pays once", async () => {
  await fixture.psp.stop();
  fixture.psp.script("acct-later", "succeed");
  const payout = await requestPayout("acct-later", "50");
  await eventually(
    "a failed payout run",
    async () =>
      (metricValue(await scrape(), "worker_runs_total", { worker: "payout", result: "failed" }) ??
        0) > 0,
  );
  // Between retries (every ~200 ms here) the payout waits in the queue with the error; a read
  // that lands in the instant of a retry would see it `sending`, so wait for a quiet moment.
  await eventually("the payout back in the queue with the connection error", async () => {
    const waiting = await call(replica.url, "GET", `/v1/payouts/${payout.id}`);
    return (
      waiting.body.status === "queued" && /could not connect/.test(waiting.body.lastError ?? "")
    );
  });
  await fixture.psp.start();
  await settledAs(payout.id, "settled");
  assert.is(fixture.psp.executions(payout.id), 1);
  assert.ok(
    (metricValue(await scrape(), "worker_runs_total", { worker: "payout", result: "success" }) ??
      0) > 0,
  );
});

test("a send whose worker died is re-sent after the lease expires, and the PSP pays once", async () => {
  fixture.psp.script("acct-crash", "succeed");
  await fixture.psp.stop();
  const payout = await requestPayout("acct-crash", "60");
  await eventually(
    "a failed attempt",
    async () => (await call(replica.url, "GET", `/v1/payouts/${payout.id}`)).body.attempts >= 1,
  );
  // Hold it back from the worker while the scene is set.
  await eventually("held back", async () => {
    const held = await fixture.pool.query(
      "UPDATE payouts SET next_attempt_at = now() + interval '1 hour' WHERE id = $1 AND status = 'queued'",
      [payout.id],
    );
    return held.rowCount === 1;
  });
  await fixture.psp.start();
  // A worker sent it (the PSP paid) and died before recording anything: its lease is over.
  const gateway = createPspGateway({ baseUrl: fixture.psp.url, timeoutMs: 1_000 });
  assert.is(
    (
      await gateway.send({
        reference: payout.id,
        amount: 60n,
        currency: "USD",
        destination: "acct-crash",
      })
    ).kind,
    "sent",
  );
  await fixture.pool.query(
    "UPDATE payouts SET status = 'sending', attempts = attempts + 1, lease_until = now() - interval '1 second' WHERE id = $1",
    [payout.id],
  );
  await settledAs(payout.id, "settled");
  assert.is(fixture.psp.requests.filter((request) => request.reference === payout.id).length, 2);
  assert.is(fixture.psp.executions(payout.id), 1);
});

test("a payout is refused without funds, without a key, and a repeated key returns the same payout", async () => {
  const poor = await call(
    replica.url,
    "POST",
    "/v1/payouts",
    { account: wallet, amount: "999999999", currency: "USD", destination: "x" },
    { "idempotency-key": randomUUID() },
  );
  assert.is(poor.status, 422);
  assert.match(poor.body.type, /ledger\/insufficient-funds$/);
  const keyless = await call(replica.url, "POST", "/v1/payouts", {
    account: wallet,
    amount: "1",
    currency: "USD",
    destination: "x",
  });
  assert.is(keyless.status, 400);
  const key = randomUUID();
  const first = await requestPayout("acct-ok", "10", key);
  const second = await requestPayout("acct-ok", "10", key);
  assert.is(second.id, first.id);
  const rows = await fixture.pool.query(
    "SELECT count(*)::int AS n FROM payouts WHERE reference = $1",
    [key],
  );
  assert.is(rows.rows[0].n, 1);
});

test("the database refuses a payout status move outside the state machine", async () => {
  const settled = await fixture.pool.query(
    "SELECT id FROM payouts WHERE status = 'settled' LIMIT 1",
  );
  const error = await fixture.pool
    .query("UPDATE payouts SET status = 'queued' WHERE id = $1", [settled.rows[0].id])
    .then(
      () => undefined,
      (caught: Error) => caught,
    );
  assert.match(error?.message ?? "", /transition settled -> queued is not allowed/);
});

test.run();
