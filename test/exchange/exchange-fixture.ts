/**
 * @module What the exchange's integration tests share: real PostgreSQL and Redis from the
 * harness, exchange replicas started with the kit's `startService`, traders' tokens from the
 * tests' issuer, and helpers for deposits, orders and controls. HTTP calls go through the
 * payments tests' `call` with explicit credentials.
 */
import { randomUUID } from "node:crypto";
import type { ExchangeConfig } from "../../services/exchange/config";
import { exchangeScopes } from "../../services/exchange/exchange-context";
import { service as exchange } from "../../services/exchange/index";
import type { CommonConfig } from "../../services/kit/config";
import { createPool, type Pool } from "../../services/kit/db";
import { type RunningService, startService } from "../../services/kit/service";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { freePort } from "../harness/process";
import { type RedisServer, startRedis } from "../harness/redis";
import {
  type ApiAnswer,
  adminToken,
  asAdmin,
  call,
  testIssuer,
} from "../payments/payments-fixture";

import { eventually } from "./eventually";

export { asAdmin, call, eventually };
export type ExchangeReplica = RunningService<CommonConfig & ExchangeConfig>;

export interface ExchangeFixture {
  readonly postgres: PostgresServer;
  readonly redis: RedisServer;
  readonly pool: Pool;
  readonly replicas: ExchangeReplica[];
  startReplica(env?: Record<string, string>): Promise<ExchangeReplica>;
  stop(): Promise<void>;
}

export async function startExchangeFixture(): Promise<ExchangeFixture> {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const databaseUrl = await postgres.createDatabase();
  const brokers = `127.0.0.1:${await freePort()}`;
  const replicas: ExchangeReplica[] = [];
  const pool = createPool(databaseUrl, undefined, { max: 5 });
  return {
    postgres,
    redis,
    pool,
    replicas,
    async startReplica(env = {}) {
      const replica = await startService(exchange, {
        ...(await testIssuer()).env,
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        KAFKA_BROKERS: brokers,
        ADMIN_TOKEN: adminToken,
        REPLICA_ID: `exchange-${replicas.length + 1}-${randomUUID().slice(0, 8)}`,
        LOG_LEVEL: process.env.BREAKWATER_LOG_LEVEL ?? "silent",
        CONTROLS_RELOAD_MS: "500",
        EXCHANGE_LEASE_TTL_MS: "3000",
        SHUTDOWN_GRACE_MS: "2000",
        ...env,
      });
      replicas.push(replica);
      return replica;
    },
    async stop() {
      await Promise.all(replicas.map((replica) => replica.stop().catch(() => undefined)));
      await pool.end().catch(() => undefined);
      await Promise.all([postgres.stop(), redis.stop()]);
    },
  };
}

/** The replica that sequences `symbol` (the one that runs its orders and answers book reads). */
export function sequencerOf(fixture: ExchangeFixture, symbol: string): Promise<ExchangeReplica> {
  return eventually(`a replica to sequence ${symbol}`, async () => {
    for (const replica of fixture.replicas)
      if ((await call(replica.url, "GET", `/v1/book/${symbol}`)).status === 200) return replica;
    return undefined;
  });
}

/** `Authorization` of trader `id` with every scope of the exchange's API. */
export async function traderHeaders(id: string): Promise<{ authorization: string }> {
  const token = await (await testIssuer()).token(id, Object.values(exchangeScopes));
  return { authorization: `Bearer ${token}` };
}

/** Credits `amount` of `asset` to `trader` (admin deposit). */
export async function deposit(
  url: string,
  trader: string,
  asset: string,
  amount: string,
): Promise<ApiAnswer> {
  return call(
    url,
    "POST",
    `/v1/accounts/${trader}/deposits`,
    { asset, amount, reference: randomUUID() },
    asAdmin,
  );
}

/** `{available, held}` of `trader` in `asset`, as strings. */
export async function balanceOf(url: string, trader: string, asset: string) {
  const answer = await call(url, "GET", `/v1/accounts/${trader}`, undefined, asAdmin);
  const balance = answer.body.balances?.find((b: { asset: string }) => b.asset === asset);
  return { available: balance?.available ?? "0", held: balance?.held ?? "0" };
}

export interface OrderInput {
  readonly side: "buy" | "sell";
  readonly type?: "limit" | "market";
  readonly price?: string;
  readonly quantity: string;
  readonly quoteBudget?: string;
  readonly symbol?: string;
  readonly clientOrderId?: string;
}

export async function placeOrder(
  url: string,
  trader: string,
  input: OrderInput,
): Promise<ApiAnswer> {
  return call(
    url,
    "POST",
    "/v1/orders",
    { clientOrderId: randomUUID(), symbol: "BTC-USD", type: "limit", ...input },
    await traderHeaders(trader),
  );
}

/** Puts a control through the admin API, as the operator does. */
export async function putControl(
  url: string,
  id: string,
  kind: string,
  spec: unknown,
  ticket = "INC-1",
) {
  return call(
    url,
    "PUT",
    `/admin/v1/controls/${id}`,
    {
      kind,
      spec,
      source: { uid: randomUUID(), generation: 1, namespace: "exchange", name: id },
      reason: `test ${kind}`,
      ticket,
      actor: "alice",
    },
    asAdmin,
  );
}

export async function liftControl(url: string, id: string) {
  return call(
    url,
    "DELETE",
    `/admin/v1/controls/${id}`,
    { actor: "alice", reason: "done", ticket: "INC-1" },
    asAdmin,
  );
}
