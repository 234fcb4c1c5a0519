/**
 * @module Escrow's login on real PostgreSQL and Redis: register, password, OTP from the
 * authenticator's secret, and the access token trading; wrong passwords and codes refused
 * and counted by reason (never by user), a replayed code refused, repeated failures locking
 * the account, attempts rate limited, bad input answered with problem+json.
 */
import { type Secret, TOTP, URI } from "otpauth";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type ApiAnswer,
  adminToken,
  call,
  type EscrowFixture,
  type EscrowReplica,
  eventually,
  expectStatus,
  metricValue,
  startEscrowFixture,
} from "./escrow-fixture";

let fixture: EscrowFixture;
let replica: EscrowReplica;
const attemptsMax = 3;
const ratePerMinute = 8;

test.before(async () => {
  fixture = await startEscrowFixture();
  replica = await fixture.startReplica({
    LOGIN_ATTEMPTS_MAX: String(attemptsMax),
    LOGIN_RATE_PER_MINUTE: String(ratePerMinute),
  });
});

test.after(async () => {
  await fixture?.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(replica.url, "POST", path, body, headers);
/** The problem's type without the URI base (`auth/invalid-otp`). */
const problemType = (answer: ApiAnswer | undefined) =>
  String((answer?.body as { type?: string } | undefined)?.type).replace(/^.*\/problems\//, "");
const scrape = async () => (await call(replica.url, "GET", "/metrics")).body as string;
const counter = async (name: string, labels: Record<string, string> = {}) =>
  metricValue(await scrape(), name, labels) ?? Number.NaN;

/** Register `userId`; resolves the TOTP its authenticator app would hold. */
async function enrol(userId: string, password: string): Promise<TOTP> {
  const answer = await post("/api/v1/auth/accounts", { userId, password });
  expectStatus(answer, 201);
  const { otpauthUri } = answer.body as { otpauthUri: string };
  const totp = URI.parse(otpauthUri);
  assert.instance(totp, TOTP);
  return totp as TOTP;
}

async function challenge(userId: string, password: string): Promise<string> {
  const answer = await post("/api/v1/auth/login", { userId, password });
  expectStatus(answer, 200);
  return (answer.body as { challengeId: string }).challengeId;
}

test("password then OTP issues a token that trades as that user; secrets stay out of the database", async () => {
  const password = "correct horse battery staple";
  const totp = await enrol("login-alice", password);
  const before = await counter("escrow_otp_verifications_total", { outcome: "success" });
  const challengeId = await challenge("login-alice", password);
  const answer = await post("/api/v1/auth/otp", { challengeId, code: totp.generate() });
  expectStatus(answer, 200);
  const token = answer.body as { accessToken: string; scope: string; tokenType: string };
  assert.is(token.scope, "escrow:trade");
  assert.is(token.tokenType, "Bearer");
  const listed = await post(
    "/api/v1/listings",
    { title: "an account", amount: "1500", credentials: { username: "u", password: "p" } },
    { authorization: `Bearer ${token.accessToken}` },
  );
  expectStatus(listed, 201);
  assert.is((listed.body as { sellerId: string }).sellerId, "login-alice");
  assert.is(await counter("escrow_otp_verifications_total", { outcome: "success" }), before + 1);
  const { rows } = await fixture.pool.query(
    "SELECT password_hash, otp_sealed::text AS sealed FROM escrow_accounts WHERE user_id = $1",
    ["login-alice"],
  );
  const secret = (totp.secret as Secret).base32;
  assert.not.ok(rows[0].password_hash.includes(password));
  assert.not.ok(rows[0].sealed.includes(secret));
  const reused = await post("/api/v1/auth/otp", { challengeId, code: totp.generate() });
  expectStatus(reused, 401);
  assert.is(problemType(reused), "auth/otp-expired");
});

test("a SessionRevocation naming the user signs out the tokens escrow issued it before the cut-off", async () => {
  const password = "staple battery horse correct";
  const totp = await enrol("login-revoked", password);
  const login = async () => {
    const challengeId = await challenge("login-revoked", password);
    const answer = await post("/api/v1/auth/otp", { challengeId, code: totp.generate() });
    expectStatus(answer, 200);
    return { authorization: `Bearer ${(answer.body as { accessToken: string }).accessToken}` };
  };
  const listing = {
    title: "an account",
    amount: "1500",
    credentials: { username: "u", password: "p" },
  };
  const before = await login();
  expectStatus(await post("/api/v1/listings", listing, before), 201);
  const cutOff = new Date(Math.floor(Date.now() / 1000 + 1) * 1000);
  const stored = await call(
    replica.url,
    "PUT",
    "/admin/v1/controls/sessionrevocation.escrow.login-revoked",
    {
      kind: "SessionRevocation",
      spec: {
        services: ["escrow"],
        subjects: ["login-revoked"],
        issuedBefore: cutOff.toISOString(),
      },
      source: { uid: "u-revoke", generation: 1, namespace: "escrow", name: "login-revoked" },
      reason: "the user's laptop was stolen",
      ticket: "SEC-9",
      actor: "alice",
    },
    { authorization: `Bearer ${adminToken}` },
  );
  expectStatus(stored, 200);
  await eventually("the replica refuses the older token", async () => {
    const refused = await post("/api/v1/listings", listing, before);
    return refused.status === 401 && problemType(refused) === "auth/session-revoked";
  });
  while (Date.now() < cutOff.getTime()) await new Promise((resolve) => setTimeout(resolve, 100));
  // A token issued after the cut-off trades again (the identity provider's: a second escrow
  // login within the same 30 s would reuse the authenticator's code, which works once).
  const fresh = await fixture.issuer.token("login-revoked", ["escrow:trade"]);
  expectStatus(await post("/api/v1/listings", listing, { authorization: `Bearer ${fresh}` }), 201);
});

test("a code used once is refused the second time, and an unknown token is 401", async () => {
  const totp = await enrol("login-bob", "another long password");
  const code = totp.generate();
  const first = await challenge("login-bob", "another long password");
  expectStatus(await post("/api/v1/auth/otp", { challengeId: first, code }), 200);
  const before = await counter("escrow_otp_verifications_total", { outcome: "replayed" });
  const second = await challenge("login-bob", "another long password");
  const replayed = await post("/api/v1/auth/otp", { challengeId: second, code });
  expectStatus(replayed, 401);
  assert.is(problemType(replayed), "auth/invalid-otp");
  assert.is(await counter("escrow_otp_verifications_total", { outcome: "replayed" }), before + 1);
  const forged = await call(
    replica.url,
    "GET",
    "/api/v1/transactions/7d1c1f6e-8a51-4d0f-9a1e-2f3b4c5d6e7f",
    undefined,
    {
      authorization: "Bearer esc_not-a-token-escrow-issued",
    },
  );
  expectStatus(forged, 401);
});

test("failed passwords and codes are counted by reason and lock the account", async () => {
  const password = "a password for carol";
  const totp = await enrol("login-carol", password);
  const failures = (reason: string) => counter("escrow_login_failures_total", { reason });
  const [badBefore, unknownBefore, lockedBefore, lockoutsBefore, invalidBefore] = await Promise.all(
    [
      failures("bad_password"),
      failures("unknown_user"),
      failures("locked"),
      counter("escrow_login_lockouts_total"),
      counter("escrow_otp_verifications_total", { outcome: "invalid" }),
    ],
  );
  const unknown = await post("/api/v1/auth/login", { userId: "login-nobody", password });
  expectStatus(unknown, 401);
  assert.is(problemType(unknown), "auth/invalid-credentials");
  const wrong = await post("/api/v1/auth/login", { userId: "login-carol", password: "wrong one" });
  expectStatus(wrong, 401);
  assert.is(problemType(wrong), "auth/invalid-credentials");
  const challengeId = await challenge("login-carol", password);
  const badCode = totp.generate() === "000000" ? "111111" : "000000";
  expectStatus(await post("/api/v1/auth/otp", { challengeId, code: badCode }), 401);
  // The third failure in a row (attemptsMax) locks: the right password is refused now.
  expectStatus(await post("/api/v1/auth/login", { userId: "login-carol", password: "nope" }), 401);
  const locked = await post("/api/v1/auth/login", { userId: "login-carol", password });
  expectStatus(locked, 423);
  assert.is(problemType(locked), "auth/account-locked");
  assert.ok(Number(locked.headers.get("retry-after")) > 0);
  const text = await scrape();
  assert.is(
    metricValue(text, "escrow_login_failures_total", { reason: "bad_password" }),
    badBefore + 2,
  );
  assert.is(
    metricValue(text, "escrow_login_failures_total", { reason: "unknown_user" }),
    unknownBefore + 1,
  );
  assert.is(
    metricValue(text, "escrow_login_failures_total", { reason: "locked" }),
    lockedBefore + 1,
  );
  assert.is(metricValue(text, "escrow_login_lockouts_total"), lockoutsBefore + 1);
  assert.is(
    metricValue(text, "escrow_otp_verifications_total", { outcome: "invalid" }),
    invalidBefore + 1,
  );
  assert.not.ok(text.includes("login-carol"), "no metric names a user");
});

test("more attempts a minute than allowed for one user id are refused with 429", async () => {
  const answers = [];
  for (let attempt = 0; attempt <= ratePerMinute; attempt++) {
    answers.push(await post("/api/v1/auth/login", { userId: "login-target", password: "guess" }));
  }
  assert.equal(
    answers.map((answer) => answer.status),
    [...Array(ratePerMinute).fill(401), 429],
  );
  assert.is(problemType(answers[ratePerMinute]), "auth/rate-limited");
});

test("bad input is answered with problem+json naming the field, and nothing is created", async () => {
  const short = await post("/api/v1/auth/accounts", { userId: "login-dave", password: "short" });
  expectStatus(short, 422);
  assert.match(short.headers.get("content-type") ?? "", /application\/problem\+json/);
  assert.match(JSON.stringify(short.body), /password/);
  const badId = await post("/api/v1/auth/accounts", {
    userId: "Dave!",
    password: "long enough password",
  });
  expectStatus(badId, 422);
  const badCode = await post("/api/v1/auth/otp", {
    challengeId: "7d1c1f6e-8a51-4d0f-9a1e-2f3b4c5d6e7f",
    code: "12ab",
  });
  expectStatus(badCode, 422);
  const { rows } = await fixture.pool.query(
    "SELECT count(*)::int AS n FROM escrow_accounts WHERE user_id IN ('login-dave', 'dave!')",
  );
  assert.is(rows[0].n, 0);
  await enrol("login-erin", "erin's long password");
  const taken = await post("/api/v1/auth/accounts", {
    userId: "login-erin",
    password: "x".repeat(20),
  });
  expectStatus(taken, 409);
  assert.is(problemType(taken), "auth/account-exists");
});

test("a request PostgreSQL fails is counted as a database error and answered as a problem", async () => {
  const before = await counter("escrow_database_errors_total", { kind: "query" });
  await fixture.pool.query("ALTER TABLE escrow_accounts RENAME TO escrow_accounts_away");
  try {
    const answer = await post("/api/v1/auth/login", {
      userId: "login-frank",
      password: "whatever",
    });
    assert.ok(answer.status >= 500, `got ${answer.status}`);
    assert.match(answer.headers.get("content-type") ?? "", /application\/problem\+json/);
  } finally {
    await fixture.pool.query("ALTER TABLE escrow_accounts_away RENAME TO escrow_accounts");
  }
  assert.is(await counter("escrow_database_errors_total", { kind: "query" }), before + 1);
});

test.run();
