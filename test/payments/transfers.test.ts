/**
 * @module Transfers through the HTTP API of a real payments replica (PostgreSQL, Redis):
 * the ledger's invariants after 200 concurrent transfers with aborted requests, retries,
 * repeated keys and overdrafts; idempotency races; refusals; reconciliation of tampering.
 */
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { findImbalances } from "../../services/payments/reconciliation";
import {
  asAdmin,
  balanceOf,
  call,
  clientHeaders,
  eventually,
  fundedWallet,
  type Json,
  metricValue,
  type PaymentsFixture,
  type PaymentsReplica,
  startPaymentsFixture,
} from "./payments-fixture";

let fixture: PaymentsFixture;
let replica: PaymentsReplica;
const wallets = Array.from({ length: 10 }, (_, index) => `users:t${index}:wallet`);
const initial = 1_000n;

test.before(async () => {
  fixture = await startPaymentsFixture();
  replica = await fixture.startReplica({ RECONCILIATION_INTERVAL_MS: "300" });
  for (const wallet of wallets) await fundedWallet(replica.url, wallet, initial);
});

test.after(async () => {
  await fixture?.stop();
});

interface Intent {
  readonly key: string;
  readonly body: { source: string; target: string; amount: string; currency: string };
}

/** Send until the answer is definite; aborts and in-progress answers are retried with the key. */
async function sendUntilDefinite(
  intent: Intent,
  abortFirstAfterMs: number | undefined,
): Promise<{ status: number; body: Json }> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    try {
      const signal =
        attempt === 0 && abortFirstAfterMs !== undefined
          ? AbortSignal.timeout(abortFirstAfterMs)
          : undefined;
      const response = await fetch(`${replica.url}/v1/transfers`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "idempotency-key": intent.key,
          ...(await clientHeaders()),
        },
        body: JSON.stringify(intent.body),
        signal,
      });
      const body = (await response.json()) as Json;
      if (response.status === 409 && String(body.type).endsWith("idempotency/in-progress")) {
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 50));
        continue;
      }
      return { status: response.status, body };
    } catch {
      // Aborted mid-flight: the transfer may or may not have happened. Retry with the key.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  throw new Error(`transfer ${intent.key} never got a definite answer`);
}

test("200 concurrent transfers with aborts, retries, repeated keys and overdrafts keep the ledger exact", async () => {
  const intents: Intent[] = Array.from({ length: 200 }, (_, index) => {
    const source = wallets[index % wallets.length]!;
    const target = wallets[(index * 7 + 3) % wallets.length]!;
    // Every 10th asks for more than any wallet can hold: a certain overdraft.
    const amount = index % 10 === 0 ? 50_000n : BigInt(1 + ((index * 37) % 180));
    return {
      key: randomUUID(),
      body: {
        source,
        target: source === target ? wallets[(index + 1) % wallets.length]! : target,
        amount: amount.toString(),
        currency: "USD",
      },
    };
  });
  const runs = intents.flatMap((intent, index) => {
    const abortAfterMs = index % 5 === 1 ? index % 7 : undefined;
    const first = sendUntilDefinite(intent, abortAfterMs);
    // Every 4th intent is also sent a second time at once: the same key racing itself.
    return index % 4 === 0 ? [first, sendUntilDefinite(intent, undefined)] : [first];
  });
  const answers = await Promise.all(runs);
  assert.ok(
    answers.every((answer) => answer.status === 201 || answer.status === 422),
    JSON.stringify(answers.find((a) => a.status !== 201 && a.status !== 422)),
  );

  // One definite outcome per key: the same answer for every copy of an intent.
  const outcome = new Map<string, { status: number; body: Json }>();
  for (const intent of intents) {
    const final = await sendUntilDefinite(intent, undefined);
    outcome.set(intent.key, final);
  }
  const overdrafts = intents.filter((_, index) => index % 10 === 0);
  for (const intent of overdrafts) {
    assert.is(outcome.get(intent.key)!.status, 422);
    assert.match(outcome.get(intent.key)!.body.type, /ledger\/insufficient-funds$/);
  }

  // The model: apply the successful transfers to the initial balances.
  const expected = new Map(wallets.map((wallet) => [wallet, initial]));
  let succeeded = 0;
  for (const intent of intents) {
    const final = outcome.get(intent.key)!;
    if (final.status !== 201) continue;
    succeeded += 1;
    const amount = BigInt(intent.body.amount);
    expected.set(intent.body.source, expected.get(intent.body.source)! - amount);
    expected.set(intent.body.target, expected.get(intent.body.target)! + amount);
  }
  assert.ok(succeeded > 100, `only ${succeeded} transfers succeeded`);
  let total = 0n;
  for (const wallet of wallets) {
    const balance = await balanceOf(replica.url, wallet);
    assert.is(balance, expected.get(wallet), wallet);
    assert.ok(balance >= 0n, `${wallet} went negative`);
    total += balance;
  }
  assert.is(total, initial * BigInt(wallets.length));

  const rows = await fixture.pool.query(
    "SELECT count(*)::int AS n FROM ledger_transactions WHERE kind = 'transfer'",
  );
  assert.is(rows.rows[0].n, succeeded, "exactly one ledger transaction per successful key");
  assert.equal(await findImbalances(fixture.pool), []);
});

test("the same key raced 20 times moves money once and all 20 get its answer; a changed body is a conflict; no key is refused", async () => {
  const key = randomUUID();
  const body = { source: wallets[0], target: wallets[1], amount: "3", currency: "USD" };
  const before = await balanceOf(replica.url, wallets[1]!);
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      call(replica.url, "POST", "/v1/transfers", body, { "idempotency-key": key }),
    ),
  );
  const created = answers.filter((answer) => answer.status === 201);
  // Repeats wait for the first to commit, then replay it: no 409 in-progress to retry.
  assert.is(created.length, 20, `statuses: ${answers.map((answer) => answer.status)}`);
  assert.is(
    answers.filter((answer) => answer.headers.get("idempotent-replayed") === null).length,
    1,
    "one request moved the money, the others replayed it",
  );
  assert.ok(
    created.every((answer) => answer.body.id === created[0]!.body.id),
    "replays carry the same transfer",
  );
  const replay = await call(replica.url, "POST", "/v1/transfers", body, { "idempotency-key": key });
  assert.is(replay.status, 201);
  assert.is(replay.body.id, created[0]!.body.id);
  assert.is(replay.headers.get("idempotent-replayed"), "true");
  assert.is(await balanceOf(replica.url, wallets[1]!), before + 3n);

  const changed = await call(
    replica.url,
    "POST",
    "/v1/transfers",
    { ...body, amount: "4" },
    { "idempotency-key": key },
  );
  assert.is(changed.status, 409);
  assert.match(changed.headers.get("content-type") ?? "", /application\/problem\+json/);
  const missing = await call(replica.url, "POST", "/v1/transfers", body);
  assert.is(missing.status, 400);
  assert.match(missing.body.type, /idempotency\/invalid-key$/);
});

test("transfers that would mint money, reach unknown accounts or carry bad amounts are refused", async () => {
  const post = (body: Record<string, unknown>) =>
    call(replica.url, "POST", "/v1/transfers", body, { "idempotency-key": randomUUID() });
  const fromClearing = await post({
    source: "platform:psp:clearing",
    target: wallets[0],
    amount: "5",
    currency: "USD",
  });
  assert.is(fromClearing.status, 403);
  assert.match(fromClearing.body.type, /accounts\/platform-reserved$/);
  const unknown = await post({
    source: wallets[0],
    target: "users:nobody:wallet",
    amount: "5",
    currency: "USD",
  });
  assert.is(unknown.status, 422);
  assert.match(unknown.body.type, /accounts\/not-found$/);
  for (const amount of ["1.5", "-3", "0", 5, "99999999999999999999"]) {
    const bad = await post({ source: wallets[0], target: wallets[1], amount, currency: "USD" });
    assert.is(bad.status, 422, `amount ${amount}`);
    assert.match(bad.body.type, /request\/validation$/);
  }
  const self = await post({ source: wallets[0], target: wallets[0], amount: "1", currency: "USD" });
  assert.is(self.status, 422);
});

test("accounts: create is repeatable, a clash is 409, unknown is 404, balances are strings per currency", async () => {
  const first = await call(replica.url, "POST", "/v1/accounts", { name: "users:acc:wallet" });
  assert.is(first.status, 201);
  assert.equal(first.body.balances, []);
  assert.is(
    (await call(replica.url, "POST", "/v1/accounts", { name: "users:acc:wallet" })).status,
    200,
  );
  assert.is(
    (
      await call(replica.url, "POST", "/v1/accounts", {
        name: "users:acc:wallet",
        type: "platform",
      })
    ).status,
    409,
  );
  assert.is(
    (await call(replica.url, "POST", "/v1/accounts", { name: "not namespaced" })).status,
    422,
  );
  assert.is(
    (await call(replica.url, "POST", "/v1/accounts", { name: "users:x:wallet", type: "external" }))
      .status,
    422,
  );
  const missing = await call(replica.url, "GET", "/v1/accounts/users:ghost:wallet");
  assert.is(missing.status, 404);
  const clearing = await call(
    replica.url,
    "GET",
    "/v1/accounts/platform:psp:clearing",
    undefined,
    asAdmin,
  );
  assert.is(clearing.body.type, "external");
  assert.is(clearing.body.balances[0].amount, (-(initial * BigInt(wallets.length))).toString());
});

test("reconciliation counts a tampered balance and an unbalanced currency in ledger_imbalance_total", async () => {
  const scrape = async () => (await call(replica.url, "GET", "/metrics")).body as string;
  await eventually(
    "a reconciliation run",
    async () =>
      (metricValue(await scrape(), "worker_runs_total", {
        worker: "reconciliation",
        result: "success",
      }) ?? 0) > 0,
  );
  assert.is(metricValue(await scrape(), "ledger_imbalance_total", { currency: "USD" }), undefined);

  await fixture.pool.query(
    "UPDATE balances SET amount = amount + 1 WHERE account = $1 AND currency = 'USD'",
    [wallets[2]],
  );
  await eventually(
    "USD imbalance",
    async () =>
      (metricValue(await scrape(), "ledger_imbalance_total", { currency: "USD" }) ?? 0) >= 1,
  );
  const findings = await findImbalances(fixture.pool);
  assert.equal(
    findings.map((finding) => [finding.kind, finding.currency]),
    [["balance_mismatch", "USD"]],
  );
  await fixture.pool.query(
    "UPDATE balances SET amount = amount - 1 WHERE account = $1 AND currency = 'USD'",
    [wallets[2]],
  );

  // A lone entry written with triggers off (what a bad restore or manual edit could do).
  const client = await fixture.pool.connect();
  try {
    await client.query("SET session_replication_role = replica");
    const created = await client.query(
      "INSERT INTO ledger_transactions (kind, reference) VALUES ('manual', 'bad-1') RETURNING id",
    );
    await client.query(
      "INSERT INTO balances (account, currency, allow_negative) VALUES ($1, 'EUR', false)",
      [wallets[3]],
    );
    await client.query(
      "INSERT INTO ledger_entries (transaction_id, account, currency, amount) VALUES ($1, $2, 'EUR', 9)",
      [created.rows[0].id, wallets[3]],
    );
  } finally {
    await client.query("SET session_replication_role = origin");
    client.release();
  }
  await eventually(
    "EUR imbalance",
    async () =>
      (metricValue(await scrape(), "ledger_imbalance_total", { currency: "EUR" }) ?? 0) >= 1,
  );
  const eur = (await findImbalances(fixture.pool)).find(
    (finding) => finding.kind === "currency_unbalanced",
  );
  assert.is(eur?.currency, "EUR");
  assert.is(eur?.kind === "currency_unbalanced" && eur.transactions.length, 1);
});

test("request metrics carry the route template, and idempotency outcomes are counted", async () => {
  const text = (await call(replica.url, "GET", "/metrics")).body as string;
  assert.ok(
    (metricValue(text, "http_request_duration_seconds_count", {
      method: "POST",
      path: "/v1/transfers",
      status: "201",
    }) ?? 0) > 0,
  );
  assert.ok(
    (metricValue(text, "http_request_duration_seconds_count", {
      method: "GET",
      path: "/v1/accounts/:id",
      status: "200",
    }) ?? 0) > 0,
  );
  assert.ok((metricValue(text, "idempotency_events_total", { outcome: "replayed" }) ?? 0) > 0);
  assert.ok(
    metricValue(text, "worker_runs_total", { worker: "payout", result: "failed" }) !== undefined,
  );
  assert.not.match(text, /path="\/v1\/accounts\/users:/);
});

test("a repeat after the money left the account gets the transfer back, not insufficient funds", async () => {
  const emptied = "users:emptied:wallet";
  await fundedWallet(replica.url, emptied, 5n);
  const key = randomUUID();
  const body = { source: emptied, target: wallets[2], amount: "5", currency: "USD" };
  const first = await call(replica.url, "POST", "/v1/transfers", body, { "idempotency-key": key });
  assert.is(first.status, 201);
  const repeat = await call(replica.url, "POST", "/v1/transfers", body, { "idempotency-key": key });
  assert.is(repeat.status, 201);
  assert.is(repeat.headers.get("idempotent-replayed"), "true");
  assert.equal(repeat.body, first.body);
  assert.is(await balanceOf(replica.url, emptied), 0n);
  // A new key for the same transfer is a new transfer, and there is no money left for it.
  const again = await call(replica.url, "POST", "/v1/transfers", body, {
    "idempotency-key": randomUUID(),
  });
  assert.is(again.status, 422);
  assert.match(again.body.type, /ledger\/insufficient-funds$/);
});

test.run();
