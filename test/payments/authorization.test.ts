/**
 * @module Who may move which money, against a real payments replica (PostgreSQL, Redis, the
 * test PSP): no or a bad token is 401, another subject's account or a missing scope is 403,
 * the platform's accounts are never a source or target of a public request (even for a
 * client acting for every user), and a refused request moves nothing. The attack that took
 * reserved payout funds (in-flight → a user) is refused and the payout still settles.
 */
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { paymentsScopes } from "../../services/payments/account-access";
import { createTokenIssuer } from "../kit/token-issuer";
import {
  anonymous,
  asAdmin,
  balanceOf,
  bearerFor,
  call,
  clientScopes,
  eventually,
  fundedWallet,
  type PaymentsFixture,
  type PaymentsReplica,
  postDeposit,
  startPaymentsFixture,
  testIssuer,
} from "./payments-fixture";

let fixture: PaymentsFixture;
let replica: PaymentsReplica;
const bobWallet = "users:bob:wallet";
const eveWallet = "users:eve:wallet";
const inFlight = "platform:payouts:in-flight";

test.before(async () => {
  fixture = await startPaymentsFixture();
  replica = await fixture.startReplica();
  await fundedWallet(replica.url, bobWallet, 10_000n);
  await fundedWallet(replica.url, eveWallet, 10n);
});

test.after(async () => {
  await fixture?.stop();
});

/** Ledger transactions and every balance: what a refused request must leave as it was. */
async function ledgerState(): Promise<string> {
  const result = await fixture.pool.query(
    `SELECT (SELECT count(*) FROM ledger_transactions) AS transactions,
            (SELECT count(*) FROM payouts) AS payouts,
            (SELECT json_agg(b ORDER BY account, currency) FROM
               (SELECT account, currency, amount FROM balances) b) AS balances`,
  );
  return JSON.stringify(result.rows[0]);
}

const transfer = (source: string, target: string, amount = "5") => ({
  source,
  target,
  amount,
  currency: "USD",
});

async function post(path: string, body: unknown, headers: Record<string, string>) {
  return call(replica.url, "POST", path, body, { "idempotency-key": randomUUID(), ...headers });
}

test("no token, a malformed, forged, expired or foreign-audience token is 401 and moves nothing", async () => {
  const before = await ledgerState();
  const issuer = await testIssuer();
  const stranger = await createTokenIssuer(issuer.issuer, issuer.audience);
  const headers: Record<string, Record<string, string>> = {
    "no token": anonymous,
    "not a JWT": { authorization: "Bearer not-a-token" },
    "basic scheme": { authorization: "Basic Ym9iOnNlY3JldA==" },
    "another key": {
      authorization: `Bearer ${await stranger.token("bob", clientScopes)}`,
    },
    expired: {
      authorization: `Bearer ${await issuer.token("bob", clientScopes, { expiresInSeconds: -120 })}`,
    },
    "other audience": {
      authorization: `Bearer ${await issuer.token("bob", clientScopes, { audience: "https://other.example" })}`,
    },
    "other issuer": {
      authorization: `Bearer ${await issuer.token("bob", clientScopes, { issuer: "https://evil.example" })}`,
    },
  };
  for (const [what, header] of Object.entries(headers)) {
    const answer = await post("/v1/transfers", transfer(bobWallet, eveWallet), header);
    assert.is(answer.status, 401, what);
    assert.match(answer.headers.get("content-type") ?? "", /application\/problem\+json/);
    assert.match(answer.body.type, /auth\/unauthorized$/, what);
    assert.match(answer.headers.get("www-authenticate") ?? "", /^Bearer /, what);
    const payout = await post(
      "/v1/payouts",
      { account: bobWallet, amount: "5", currency: "USD", destination: "DE89" },
      header,
    );
    assert.is(payout.status, 401, `payout, ${what}`);
  }
  assert.is(
    (await call(replica.url, "GET", `/v1/accounts/${bobWallet}`, undefined, anonymous)).status,
    401,
  );
  assert.is(await ledgerState(), before);
});

test("another subject's account is 403 as a source, to read, or to create; its payouts are 404", async () => {
  const eve = await bearerFor("eve");
  const bob = await bearerFor("bob");
  const payout = await post(
    "/v1/payouts",
    { account: bobWallet, amount: "5", currency: "USD", destination: "DE89" },
    bob,
  );
  assert.is(payout.status, 201);
  await eventually("payout settled", async () => {
    const answer = await call(replica.url, "GET", `/v1/payouts/${payout.body.id}`, undefined, bob);
    return answer.body.status === "settled";
  });
  const before = await ledgerState();
  const stolen = await post("/v1/transfers", transfer(bobWallet, eveWallet), eve);
  assert.is(stolen.status, 403);
  assert.match(stolen.body.type, /auth\/forbidden$/);
  assert.is(stolen.body.field, "source");
  const paidOut = await post(
    "/v1/payouts",
    { account: bobWallet, amount: "5", currency: "USD", destination: "DE89" },
    eve,
  );
  assert.is(paidOut.status, 403);
  assert.is(paidOut.body.field, "account");
  const read = await call(replica.url, "GET", `/v1/accounts/${bobWallet}`, undefined, eve);
  assert.is(read.status, 403);
  const created = await call(
    replica.url,
    "POST",
    "/v1/accounts",
    { name: "users:bob:savings" },
    eve,
  );
  assert.is(created.status, 403);
  const peek = await call(replica.url, "GET", `/v1/payouts/${payout.body.id}`, undefined, eve);
  assert.is(peek.status, 404);
  assert.is(
    (await call(replica.url, "GET", `/v1/payouts/${payout.body.id}`, undefined, bob)).status,
    200,
  );
  assert.is(await ledgerState(), before);
});

test("a token without the route's scope is 403 insufficient_scope", async () => {
  const readOnly = await bearerFor("bob", [paymentsScopes.accountsRead]);
  const before = await ledgerState();
  const answer = await post("/v1/transfers", transfer(bobWallet, eveWallet), readOnly);
  assert.is(answer.status, 403);
  assert.match(answer.body.type, /auth\/insufficient-scope$/);
  assert.match(answer.headers.get("www-authenticate") ?? "", /insufficient_scope/);
  assert.is(await ledgerState(), before);
  assert.is(
    (await call(replica.url, "GET", `/v1/accounts/${bobWallet}`, undefined, readOnly)).status,
    200,
  );
});

test("platform accounts are never a source or target of a public request, even for a client acting for every user", async () => {
  // A payout in flight (the PSP pays but answers late, so it waits in manual review): the
  // funds the attack took.
  fixture.psp.script("DE-late", "timeout");
  const bob = await bearerFor("bob");
  const payout = await post(
    "/v1/payouts",
    { account: bobWallet, amount: "700", currency: "USD", destination: "DE-late" },
    bob,
  );
  assert.is(payout.status, 201);
  const review = async () => {
    const answer = await call(replica.url, "GET", `/v1/payouts/${payout.body.id}`, undefined, bob);
    return answer.body.status === "manual_review";
  };
  await eventually("payout in manual review", review);
  const before = await ledgerState();
  for (const caller of [bob, await bearerFor("payments-tests", clientScopes)]) {
    for (const [body, field] of [
      [transfer(inFlight, eveWallet), "source"],
      [transfer(inFlight, bobWallet), "source"],
      [transfer(bobWallet, inFlight), "target"],
      [transfer(bobWallet, "platform:psp:clearing"), "target"],
      [transfer("platform:fees", bobWallet), "source"],
    ] as const) {
      const answer = await post("/v1/transfers", body, caller);
      assert.is(answer.status, 403, JSON.stringify(body));
      assert.match(answer.body.type, /accounts\/platform-reserved$/);
      assert.is(answer.body.field, field);
    }
    const fromPlatform = await post(
      "/v1/payouts",
      { account: inFlight, amount: "1", currency: "USD", destination: "DE89" },
      caller,
    );
    assert.is(fromPlatform.status, 403);
    const create = await call(
      replica.url,
      "POST",
      "/v1/accounts",
      { name: "platform:fees", type: "platform" },
      caller,
    );
    assert.is(create.status, 403);
    const read = await call(replica.url, "GET", `/v1/accounts/${inFlight}`, undefined, caller);
    assert.is(read.status, 403);
  }
  const deposit = await postDeposit(replica.url, {
    reference: `dep-${randomUUID()}`,
    account: inFlight,
    amount: "100",
    currency: "USD",
  });
  assert.is(deposit.status, 422);
  assert.match(deposit.body.type, /accounts\/platform-reserved$/);
  assert.is(await ledgerState(), before);
  // The reserved funds stayed where they belong, waiting for a person's decision (deciding is
  // tested with real RBAC in payouts.test.ts).
  assert.ok(await review(), "still in manual review");
});

test("the owner moves its own money; a client with payments:on-behalf acts for any user", async () => {
  const bobBefore = await balanceOf(replica.url, bobWallet);
  const own = await post(
    "/v1/transfers",
    transfer(bobWallet, eveWallet, "11"),
    await bearerFor("bob"),
  );
  assert.is(own.status, 201);
  const onBehalf = await post(
    "/v1/transfers",
    transfer(eveWallet, bobWallet, "3"),
    await bearerFor("checkout", [paymentsScopes.transfersWrite, paymentsScopes.onBehalf]),
  );
  assert.is(onBehalf.status, 201);
  assert.is(await balanceOf(replica.url, bobWallet), bobBefore - 8n);
  const admin = await call(replica.url, "GET", `/v1/accounts/${inFlight}`, undefined, asAdmin);
  assert.is(admin.status, 200, "on-call reads platform accounts with the admin token");
  const adminMoves = await post("/v1/transfers", transfer(bobWallet, eveWallet), asAdmin);
  assert.is(adminMoves.status, 401, "the admin token moves no money");
});

test("keys fetched from the issuer's JWKS URL verify tokens the same way", async () => {
  const issuer = await testIssuer();
  const served = await issuer.serveJwks();
  try {
    const second = await fixture.startReplica({ AUTH_JWKS: served.url });
    const bob = await bearerFor("bob");
    const answer = await call(second.url, "GET", `/v1/accounts/${bobWallet}`, undefined, bob);
    assert.is(answer.status, 200);
    const stranger = await createTokenIssuer(issuer.issuer, issuer.audience);
    const forged = `Bearer ${await stranger.token("bob", clientScopes)}`;
    const refused = await call(second.url, "GET", `/v1/accounts/${bobWallet}`, undefined, {
      authorization: forged,
    });
    assert.is(refused.status, 401);
  } finally {
    await served.stop();
  }
});

test.run();
