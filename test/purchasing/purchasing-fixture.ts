/**
 * @module What the purchasing tests and the benchmark share: real PostgreSQL and Redis from
 * the harness, three providers as real HTTP servers (a, b, c in that priority), purchasing
 * replicas started as `npm run service -- purchasing` starts them (their own processes, so a
 * test can read a replica's log or kill it), a token issuer for callers, and HTTP helpers.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPool, type Pool } from "../../services/kit/db";
import { purchasingScopes } from "../../services/purchasing/purchasing-context";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import {
  freePort,
  type ManagedProcess,
  makeTempDir,
  startProcess,
  waitUntil,
} from "../harness/process";
import { type RedisServer, startRedis } from "../harness/redis";
import { createTokenIssuer, type TokenIssuer } from "../kit/token-issuer";
import { type ApiAnswer, call } from "../payments/payments-fixture";
import { type ProviderServer, startProviderServer } from "./provider-server";

export { call };
export const adminToken = "admin-token-for-tests-0123456789";
export const cronSecret = "cron-secret-for-tests-0123456789";
export const asAdmin = { authorization: `Bearer ${adminToken}` };

const root = join(import.meta.dirname, "..", "..");

export interface PurchasingReplica {
  readonly id: string;
  readonly url: string;
  readonly process: ManagedProcess;
  /** Everything the replica logged so far. */
  log(): string;
}

export interface PurchasingFixture {
  readonly postgres: PostgresServer;
  readonly redis: RedisServer;
  readonly issuer: TokenIssuer;
  readonly databaseUrl: string;
  /** a (priority 10), b (20), c (30). */
  readonly providers: { a: ProviderServer; b: ProviderServer; c: ProviderServer };
  readonly replicas: PurchasingReplica[];
  /** A pool on the service's database, for assertions. */
  readonly pool: Pool;
  startReplica(env?: Record<string, string>): Promise<PurchasingReplica>;
  stop(): Promise<void>;
}

export interface PurchasingFixtureOptions {
  readonly replicas?: number;
  /** Overrides for every replica's environment. */
  readonly env?: Record<string, string>;
  /** Reuse these servers (the operator tests bring their own). */
  readonly postgres?: PostgresServer;
  readonly redis?: RedisServer;
}

/** Start the servers, the providers and `replicas` replicas (default 1); register a, b, c. */
export async function startPurchasingFixture(
  options: PurchasingFixtureOptions = {},
): Promise<PurchasingFixture> {
  const [postgres, redis, issuer, a, b, c] = await Promise.all([
    options.postgres ?? startPostgres(),
    options.redis ?? startRedis(),
    createTokenIssuer(
      "https://identity.test.breakwater.dev",
      "https://purchasing.test.breakwater.dev",
    ),
    startProviderServer("a"),
    startProviderServer("b"),
    startProviderServer("c"),
  ]);
  const databaseUrl = await postgres.createDatabase();
  const brokers = `127.0.0.1:${await freePort()}`;
  const replicas: PurchasingReplica[] = [];
  const logDir = makeTempDir("purchasing");
  const pool = createPool(databaseUrl, undefined, { max: 5 });
  const fixture: PurchasingFixture = {
    postgres,
    redis,
    issuer,
    databaseUrl,
    providers: { a, b, c },
    replicas,
    pool,
    async startReplica(env = {}) {
      const id = `purchasing-${replicas.length + 1}-${randomUUID().slice(0, 6)}`;
      const port = await freePort();
      const logPath = join(logDir, `${id}.log`);
      const process = startProcess({
        name: id,
        command: globalThis.process.execPath,
        args: ["--import", "tsx", join(root, "services", "run.ts"), "purchasing"],
        cwd: root,
        logPath,
        env: {
          PATH: globalThis.process.env.PATH ?? "",
          HOME: globalThis.process.env.HOME ?? "/root",
          PORT: String(port),
          HOST: "127.0.0.1",
          DATABASE_URL: databaseUrl,
          REDIS_URL: redis.url,
          KAFKA_BROKERS: brokers,
          ADMIN_TOKEN: adminToken,
          CRON_SECRET: cronSecret,
          REPLICA_ID: id,
          LOG_LEVEL: "info",
          PROVIDER_TIMEOUT_MS: "2000",
          PROVIDERS_RELOAD_MS: "200",
          CONTROLS_RELOAD_MS: "500",
          RECONCILE_INTERVAL_MS: "3600000",
          OUTBOX_RELAY_INTERVAL_MS: "1000",
          SHUTDOWN_GRACE_MS: "2000",
          ...issuer.env,
          ...options.env,
          ...env,
        },
      });
      const url = `http://127.0.0.1:${port}`;
      await waitUntil(
        `${id} ready`,
        async () => (await fetch(`${url}/health/ready`)).status === 200,
        { process, timeoutMs: 90_000, intervalMs: 200 },
      );
      const replica = { id, url, process, log: () => readFileSync(logPath, "utf8") };
      replicas.push(replica);
      return replica;
    },
    async stop() {
      await Promise.all(replicas.map((replica) => replica.process.stop(3000)));
      await pool.end().catch(() => undefined);
      await Promise.all([a.stop(), b.stop(), c.stop()]);
      if (!options.postgres) await postgres.stop();
      if (!options.redis) await redis.stop();
    },
  };
  for (let index = 0; index < (options.replicas ?? 1); index += 1) await fixture.startReplica();
  const first = replicas[0]!.url;
  for (const [provider, priority] of [
    [a, 10],
    [b, 20],
    [c, 30],
  ] as const) {
    const stored = await call(
      first,
      "PUT",
      `/v1/providers/${provider.name}`,
      {
        priority,
        settings: { url: provider.url },
      },
      asAdmin,
    );
    if (stored.status !== 200) throw new Error(`provider ${provider.name}: ${stored.status}`);
  }
  return fixture;
}

/** `Authorization` of user `subject` (owner of `users:<subject>:wallet`) with every purchasing scope. */
export async function asUser(
  issuer: TokenIssuer,
  subject: string,
): Promise<Record<string, string>> {
  const scopes = [
    purchasingScopes.purchasesWrite,
    purchasingScopes.purchasesRead,
    purchasingScopes.walletsRead,
  ];
  return { authorization: `Bearer ${await issuer.token(subject, scopes)}` };
}

/** Credit `users:<subject>:wallet` with `amount` USD through the admin API. */
export async function fundWallet(url: string, subject: string, amount: bigint): Promise<string> {
  const account = `users:${subject}:wallet`;
  const answer = await call(
    url,
    "POST",
    `/v1/wallets/${account}/credits`,
    {
      amount: amount.toString(),
      currency: "USD",
      reference: `fund-${subject}-${randomUUID()}`,
      reason: "test funds",
    },
    asAdmin,
  );
  if (answer.status !== 200)
    throw new Error(`fund ${account}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return account;
}

/** A purchase of `amount` USD from `users:<subject>:wallet` (a new Idempotency-Key unless given). */
export async function purchase(
  url: string,
  headers: Record<string, string>,
  subject: string,
  amount: bigint,
  key: string = randomUUID(),
): Promise<ApiAnswer> {
  return call(
    url,
    "POST",
    "/v1/purchases",
    {
      account: `users:${subject}:wallet`,
      item: "sku-gift-card",
      amount: amount.toString(),
      currency: "USD",
    },
    { ...headers, "idempotency-key": key },
  );
}

/** The balance of `account` in USD (0 when none), read with the admin token. */
export async function usdBalance(url: string, account: string): Promise<bigint> {
  const answer = await call(url, "GET", `/v1/wallets/${account}`, undefined, asAdmin);
  const usd = (answer.body?.balances as { currency: string; amount: string }[] | undefined)?.find(
    (balance) => balance.currency === "USD",
  );
  return BigInt(usd?.amount ?? "0");
}

/**
 * The value of the series `name` whose labels include `labels` in a replica's /metrics, or
 * undefined when there is none.
 */
export async function metricValue(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const text = (await call(url, "GET", "/metrics")).body as string;
  const pairs = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  const line = text
    .split("\n")
    .find((item) => item.startsWith(`${name}{`) && pairs.every((pair) => item.includes(pair)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}
