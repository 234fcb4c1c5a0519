/**
 * @module Purchases across three replicas on real PostgreSQL and Redis with real providers:
 * balances exact after 500 concurrent purchases while providers fail, the runbook's
 * emergency SQL (`UPDATE "providers" SET "is_active" = false ...`) taking a provider out of
 * routing on every replica, and bad input answered with problem+json and nothing charged
 * twice.
 */
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { waitUntil } from "../harness/process";
import {
  asUser,
  call,
  cronSecret,
  fundWallet,
  type PurchasingFixture,
  purchase,
  startPurchasingFixture,
  usdBalance,
} from "./purchasing-fixture";

let fixture: PurchasingFixture;
let urls: string[];
const asCron = { authorization: `Bearer ${cronSecret}` };

test.before(async () => {
  fixture = await startPurchasingFixture({
    replicas: 3,
    env: { DATABASE_POOL_MAX: "20", RESERVATION_DEADLINE_MS: "5000" },
  });
  urls = fixture.replicas.map((replica) => replica.url);
});

test.after(async () => {
  await fixture?.stop();
});

test("wallet balances are exact after 500 concurrent purchases with failing providers", async () => {
  const { a, b, c } = fixture.providers;
  const users = Array.from({ length: 20 }, (_, index) => `load${index}`);
  for (const subject of users) await fundWallet(urls[0]!, subject, 5_000n);
  const headers = new Map(
    await Promise.all(
      users.map(async (subject) => [subject, await asUser(fixture.issuer, subject)] as const),
    ),
  );
  const jobs = Array.from({ length: 500 }, (_, index) => ({
    subject: users[index % users.length]!,
    amount: BigInt(1 + (index % 40)),
    url: urls[index % urls.length]!,
  }));
  const failures = setInterval(() => {
    // Providers fail and recover while purchases run: 5xx, 429, declines, a dead one.
    const modes = ["complete", "error", "rate-limit", "decline"] as const;
    a.setMode(modes[Math.floor(Math.random() * modes.length)]!);
    b.setMode(Math.random() < 0.3 ? "error" : "complete");
    if (Math.random() < 0.2) c.stop().then(() => c.start());
  }, 50);
  const answers = await Promise.all(
    jobs.map(async (job) => ({
      job,
      answer: await purchase(job.url, headers.get(job.subject)!, job.subject, job.amount),
    })),
  );
  clearInterval(failures);
  for (const provider of [a, b, c]) provider.setMode("complete");
  await c.start().catch(() => undefined);

  // An overloaded replica may answer 503 (a database connection not free within 5 s) after
  // reserving; reconciliation finishes those, and every balance must then add up exactly.
  for (const { answer } of answers) {
    assert.ok(
      [201, 502, 503].includes(answer.status),
      `${answer.status} ${JSON.stringify(answer.body)}`,
    );
  }
  await waitUntil(
    "no reservation left pending",
    async () => {
      await call(urls[0]!, "POST", "/api/cron/reconcile", undefined, asCron);
      const pending = await fixture.pool.query("SELECT 1 FROM purchases WHERE status = 'pending'");
      return pending.rowCount === 0;
    },
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );
  const rows = await fixture.pool.query<{
    id: string;
    account: string;
    amount: string;
    status: string;
    provider: string;
  }>(
    "SELECT id, account, amount::text AS amount, status, provider FROM purchases WHERE account LIKE 'users:load%'",
  );
  const spent = new Map<string, bigint>();
  let completed = 0;
  for (const row of rows.rows) {
    const holders = [a, b, c].filter((provider) => provider.orders.has(row.id));
    if (row.status !== "completed") continue;
    completed += 1;
    spent.set(row.account, (spent.get(row.account) ?? 0n) + BigInt(row.amount));
    assert.equal(
      holders.map((provider) => provider.name),
      [row.provider],
      "one provider holds it",
    );
  }
  const answered = answers.filter(({ answer }) => answer.status === 201);
  for (const { answer } of answered) {
    const row = rows.rows.find((item) => item.id === answer.body.id);
    assert.is(row?.status, "completed", "every 201 is a completed purchase");
  }
  assert.ok(answered.length > 0, "some purchases completed");
  assert.ok(rows.rows.length <= 500);
  for (const subject of users) {
    const account = `users:${subject}:wallet`;
    assert.is(await usdBalance(urls[1]!, account), 5_000n - (spent.get(account) ?? 0n), subject);
  }
  const total = [...spent.values()].reduce((sum, amount) => sum + amount, 0n);
  assert.is(await usdBalance(urls[0]!, "platform:purchases:reserved"), 0n);
  assert.is(await usdBalance(urls[0]!, "platform:providers:settlement"), total);
  const entries = await fixture.pool.query(
    "SELECT coalesce(sum(amount), 0)::text AS total FROM ledger_entries",
  );
  assert.is(entries.rows[0].total, "0", "every transaction balances");
  const statuses = await fixture.pool.query(
    "SELECT status, count(*)::int AS n FROM purchases WHERE account LIKE 'users:load%' GROUP BY status",
  );
  const byStatus = Object.fromEntries(statuses.rows.map((row) => [row.status, row.n]));
  assert.is(byStatus.completed, completed);
});

test("the runbook's emergency SQL takes a provider out of routing on every replica", async () => {
  const user = await asUser(fixture.issuer, "dan");
  await fundWallet(urls[0]!, "dan", 1_000n);
  await fixture.pool.query(`UPDATE "providers" SET "is_active" = false WHERE "name" = 'a'`);
  await waitUntil("every replica routes past a", async () => {
    const answers = await Promise.all(urls.map((url) => purchase(url, user, "dan", 1n)));
    return answers.every(
      (answer) => answer.body.provider === "b" && answer.body.attempts.length === 1,
    );
  });
  const before = fixture.providers.a.orderRequests;
  await Promise.all(urls.map((url) => purchase(url, user, "dan", 1n)));
  assert.is(fixture.providers.a.orderRequests, before, "no purchase reaches the inactive provider");
  await fixture.pool.query(`UPDATE "providers" SET "is_active" = true WHERE "name" = 'a'`);
  await waitUntil("every replica routes to a again", async () => {
    const answers = await Promise.all(urls.map((url) => purchase(url, user, "dan", 1n)));
    return answers.every((answer) => answer.body.provider === "a");
  });
});

test("bad input gets problem+json and nothing is charged twice", async () => {
  const url = urls[0]!;
  const user = await asUser(fixture.issuer, "eve");
  const wallet = await fundWallet(url, "eve", 1_000n);
  const body = { account: wallet, item: "sku-1", amount: "100", currency: "USD" };
  const post = (payload: unknown, headers: Record<string, string>) =>
    call(url, "POST", "/v1/purchases", payload, headers);
  const key = () => ({ "idempotency-key": randomUUID() });
  const cases: [string, unknown, Record<string, string>, number, RegExp][] = [
    ["no token", body, key(), 401, /auth\/unauthorized$/],
    ["no Idempotency-Key", body, user, 400, /idempotency\/invalid-key$/],
    [
      "negative amount",
      { ...body, amount: "-5" },
      { ...user, ...key() },
      422,
      /request\/validation$/,
    ],
    [
      "amount as a number",
      { ...body, amount: 100 },
      { ...user, ...key() },
      422,
      /request\/validation$/,
    ],
    ["unknown field", { ...body, price: "1" }, { ...user, ...key() }, 422, /request\/validation$/],
    [
      "platform account",
      { ...body, account: "platform:purchases:reserved" },
      { ...user, ...key() },
      403,
      /accounts\/platform-reserved$/,
    ],
    [
      "another user's wallet",
      { ...body, account: "users:dan:wallet" },
      { ...user, ...key() },
      403,
      /forbidden$/,
    ],
    [
      "more than the wallet holds",
      { ...body, amount: "5000" },
      { ...user, "idempotency-key": randomUUID() },
      422,
      /ledger\/insufficient-funds$/,
    ],
  ];
  for (const [what, payload, headers, status, type] of cases) {
    const answer = await post(payload, headers);
    assert.is(answer.status, status, `${what}: ${JSON.stringify(answer.body)}`);
    assert.match(answer.headers.get("content-type") ?? "", /application\/problem\+json/, what);
    assert.match(answer.body.type, type, what);
  }
  assert.is(await usdBalance(url, wallet), 1_000n, "nothing charged by refused requests");

  const once = { ...user, "idempotency-key": randomUUID() };
  const first = await post(body, once);
  const repeats = await Promise.all(
    urls.map((other) => call(other, "POST", "/v1/purchases", body, once)),
  );
  assert.is(first.status, 201);
  for (const repeat of repeats) {
    assert.ok([201, 409].includes(repeat.status), JSON.stringify(repeat.body));
    if (repeat.status === 201) assert.is(repeat.body.id, first.body.id);
  }
  const conflict = await post({ ...body, amount: "200" }, once);
  assert.is(conflict.status, 409);
  assert.is(await usdBalance(url, wallet), 900n, "charged once");
});

test.run();
