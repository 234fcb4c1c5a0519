/**
 * @module What the payments integration tests and the benchmark share: real PostgreSQL and
 * Redis (and Kafka when asked) from the harness, the test PSP, payments replicas started with
 * the kit's `startService`, a token issuer for callers, and small HTTP helpers (JSON calls,
 * signed deposits).
 *
 * `call()` acts as the tests' payments client (a service client granted every user account,
 * {@link clientScopes}) unless the headers carry their own `authorization` (`anonymous` sends
 * none); `balanceOf()` reads with the admin token, which may read platform accounts too.
 */
import { randomUUID } from "node:crypto";
import type { CommonConfig } from "../../services/kit/config";
import { createPool, type Pool } from "../../services/kit/db";
import { type RunningService, startService } from "../../services/kit/service";
import { signWebhook } from "../../services/kit/webhook-signature";
import { paymentsScopes } from "../../services/payments/account-access";
import type { PaymentsConfig } from "../../services/payments/config";
import { service as payments } from "../../services/payments/index";
import { type KafkaServer, startKafka } from "../harness/kafka";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { freePort } from "../harness/process";
import { type RedisServer, startRedis } from "../harness/redis";
import { createTokenIssuer, type TokenIssuer } from "../kit/token-issuer";
import { type PspServer, startPspServer } from "./psp-server";

export const adminToken = "admin-token-for-tests-0123456789";
export const webhookSecret = "webhook-secret-for-tests-0123456789";

let issuer: Promise<TokenIssuer> | undefined;

/** The issuer of every caller's token in this test process. */
export function testIssuer(): Promise<TokenIssuer> {
  issuer ??= createTokenIssuer();
  return issuer;
}

/** Every scope of payments' public API plus the grant to act for any user account. */
export const clientScopes = Object.values(paymentsScopes);

/** `Authorization` of a caller with `scopes` (default: only users:<subject>:* accounts). */
export async function bearerFor(
  subject: string,
  scopes: readonly string[] = clientScopes.filter((scope) => scope !== paymentsScopes.onBehalf),
): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await (await testIssuer()).token(subject, scopes)}` };
}

let client: Promise<{ authorization: string }> | undefined;

/** `Authorization` of the tests' payments client (every user account, never a platform one). */
export function clientHeaders(): Promise<{ authorization: string }> {
  client ??= bearerFor("payments-tests", clientScopes);
  return client;
}

/** Headers that make `call()` send no `Authorization` at all. */
export const anonymous = { authorization: "" };

export type PaymentsReplica = RunningService<CommonConfig & PaymentsConfig>;

export interface PaymentsFixture {
  readonly postgres: PostgresServer;
  readonly redis: RedisServer;
  readonly kafka: KafkaServer | undefined;
  readonly psp: PspServer;
  readonly databaseUrl: string;
  /** A pool on the service's database, for assertions. */
  readonly pool: Pool;
  readonly replicas: PaymentsReplica[];
  /** Start one more replica; `env` overrides the defaults. */
  startReplica(env?: Record<string, string>): Promise<PaymentsReplica>;
  stop(): Promise<void>;
}

export interface FixtureOptions {
  /** Start a real Kafka broker (slow); otherwise KAFKA_BROKERS points at a closed port. */
  readonly kafka?: boolean;
  readonly pspTimeoutMs?: number;
}

/** Start the servers a payments replica needs (no replica yet). */
export async function startPaymentsFixture(options: FixtureOptions = {}): Promise<PaymentsFixture> {
  const [postgres, redis, kafka, psp] = await Promise.all([
    startPostgres(),
    startRedis(),
    options.kafka ? startKafka() : Promise.resolve(undefined),
    startPspServer({ holdMs: 30_000 }),
  ]);
  const databaseUrl = await postgres.createDatabase();
  const brokers = kafka ? kafka.brokers.join(",") : `127.0.0.1:${await freePort()}`;
  const replicas: PaymentsReplica[] = [];
  let pool: Pool | undefined;
  const fixture: PaymentsFixture = {
    postgres,
    redis,
    kafka,
    psp,
    databaseUrl,
    get pool() {
      pool ??= createPool(databaseUrl, undefined, { max: 5 });
      return pool;
    },
    replicas,
    async startReplica(env = {}) {
      const auth = (await testIssuer()).env;
      const replica = await startService(payments, {
        ...auth,
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        KAFKA_BROKERS: brokers,
        ADMIN_TOKEN: adminToken,
        REPLICA_ID: `payments-${replicas.length + 1}-${randomUUID().slice(0, 8)}`,
        LOG_LEVEL: process.env.BREAKWATER_LOG_LEVEL ?? "silent",
        PSP_URL: psp.url,
        PSP_TIMEOUT_MS: String(options.pspTimeoutMs ?? 1_000),
        WEBHOOK_SECRET: webhookSecret,
        PAYOUT_INTERVAL_MS: "100",
        PAYOUT_RETRY_BASE_MS: "200",
        PAYOUT_RETRY_MAX_MS: "1000",
        RECONCILIATION_INTERVAL_MS: "60000",
        CONTROLS_RELOAD_MS: "500",
        OUTBOX_RELAY_INTERVAL_MS: "100",
        OUTBOX_BACKOFF_MAX_MS: "1000",
        SHUTDOWN_GRACE_MS: "2000",
        ...env,
      });
      replicas.push(replica);
      return replica;
    },
    async stop() {
      await Promise.all(replicas.map((replica) => replica.stop().catch(() => undefined)));
      await pool?.end().catch(() => undefined);
      await psp.stop();
    },
  };
  return fixture;
}

/** A parsed JSON answer; tests read many shapes, so the body is loosely typed by default. */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes, checked by assertions.
export type Json = any;

export interface ApiAnswer<T = Json> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** Call the API with a JSON body (if any) and parse the JSON answer. */
export async function call<T = Json>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer<T>> {
  const json: Record<string, string> =
    body === undefined ? {} : { "content-type": "application/json" };
  const sent: Record<string, string> = { ...json, ...(await clientHeaders()), ...headers };
  if (sent.authorization === "") delete sent.authorization;
  const response = await fetch(`${url}${path}`, {
    method,
    headers: sent,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (e.g. /metrics): keep the text.
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** `Authorization` for the admin API and the manual review routes. */
export const asAdmin = { authorization: `Bearer ${adminToken}` };

/** POST a deposit webhook signed with the test secret (or `signature`). */
export async function postDeposit(
  url: string,
  payload: Record<string, unknown>,
  signature?: string,
): Promise<ApiAnswer> {
  const raw = JSON.stringify(payload);
  const response = await fetch(`${url}/v1/webhooks/deposits`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-webhook-signature": signature ?? signWebhook(webhookSecret, raw),
    },
    body: raw,
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** Create a user wallet and fund it with a signed deposit. */
export async function fundedWallet(
  url: string,
  name: string,
  amount: bigint,
  currency = "USD",
): Promise<void> {
  const created = await call(url, "POST", "/v1/accounts", { name, type: "user" });
  if (created.status !== 201 && created.status !== 200)
    throw new Error(`account ${name}: ${created.status}`);
  const deposit = await postDeposit(url, {
    reference: `fund-${name}-${currency}-${randomUUID()}`,
    account: name,
    amount: amount.toString(),
    currency,
  });
  if (deposit.status !== 200)
    throw new Error(`deposit to ${name}: ${deposit.status} ${JSON.stringify(deposit.body)}`);
}

/** The balance of `account` in `currency` as a bigint (0 when it has none). */
export async function balanceOf(url: string, account: string, currency = "USD"): Promise<bigint> {
  const answer = await call(url, "GET", `/v1/accounts/${account}`, undefined, asAdmin);
  const balance = (answer.body.balances as { currency: string; amount: string }[]).find(
    (item) => item.currency === currency,
  );
  return BigInt(balance?.amount ?? "0");
}

/** Poll until `probe` is truthy (default 15 s); throws naming `what`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

/**
 * Wait until `count` live replicas (as `url`'s admin API lists them) have acknowledged at
 * least control `version`, as the operator does; resolves with that listing.
 */
export function acknowledgedBy(url: string, count: number, version: number): Promise<Json> {
  return eventually(`${count} replicas at version ${version}`, async () => {
    const listed = await call(url, "GET", "/admin/v1/controls", undefined, asAdmin);
    const live = (listed.body.replicas as { version: number; live: boolean }[]).filter(
      (replica) => replica.live,
    );
    return live.length === count && live.every((replica) => replica.version >= version)
      ? listed.body
      : undefined;
  });
}

/** Ask `url` for a payout from `account` (a new Idempotency-Key each time). */
export function requestPayout(
  url: string,
  account: string,
  currency: string,
  amount = "100",
  destination = "acct-ok",
): Promise<ApiAnswer> {
  return call(
    url,
    "POST",
    "/v1/payouts",
    { account, amount, currency, destination },
    { "idempotency-key": randomUUID() },
  );
}

/** The value of one sample in a Prometheus text exposition, or undefined. */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[3] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value))
      return Number(match[4]);
  }
  return undefined;
}
