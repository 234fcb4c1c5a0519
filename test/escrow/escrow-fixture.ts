/**
 * @module What the escrow tests and the benchmark share: real PostgreSQL and Redis (and
 * Kafka when asked) from the harness, the Paystack-style provider as a real HTTP server,
 * escrow replicas started with the kit's `startService`, tokens for buyers, sellers and
 * super admins, and the steps of a sale as HTTP calls.
 */
import { randomUUID } from "node:crypto";
import type { EscrowConfig } from "../../services/escrow/config";
import { escrowScopes } from "../../services/escrow/escrow-context";
import { service as escrow } from "../../services/escrow/index";
import type { CommonConfig } from "../../services/kit/config";
import { createPool, type Pool } from "../../services/kit/db";
import { type RunningService, startService } from "../../services/kit/service";
import { type KafkaServer, startKafka } from "../harness/kafka";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { freePort } from "../harness/process";
import { type RedisServer, startRedis } from "../harness/redis";
import { createTokenIssuer, type TokenIssuer } from "../kit/token-issuer";
import { type ApiAnswer, call, eventually, type Json } from "../payments/payments-fixture";
import { type PaystackServer, startPaystackServer } from "./paystack-server";

export { call, eventually, metricValue } from "../payments/payments-fixture";
export type { ApiAnswer, Json };

export const adminToken = "admin-token-for-tests-0123456789";
export const paystackSecret = "sk_test_escrow_secret_0123456789";
export const vaultPepper = "vault-pepper-for-tests-0123456789abcdef";
/** A cheap scrypt cost for tests; the service's default (2^15) is what the benchmark prints. */
export const testScryptN = 2 ** 12;

export type EscrowReplica = RunningService<CommonConfig & EscrowConfig>;

export interface EscrowFixture {
  readonly postgres: PostgresServer;
  readonly redis: RedisServer;
  readonly kafka: KafkaServer | undefined;
  readonly paystack: PaystackServer;
  readonly issuer: TokenIssuer;
  readonly databaseUrl: string;
  readonly pool: Pool;
  readonly replicas: EscrowReplica[];
  startReplica(env?: Record<string, string>): Promise<EscrowReplica>;
  /** `Authorization` of a trader (buyer or seller) or of a super admin. */
  trader(userId: string): Promise<{ authorization: string }>;
  superAdmin(userId: string): Promise<{ authorization: string }>;
  stop(): Promise<void>;
}

export interface EscrowFixtureOptions {
  readonly kafka?: boolean;
  readonly postgres?: PostgresServer;
  readonly redis?: RedisServer;
}

/** Start the servers an escrow replica needs (no replica yet). */
export async function startEscrowFixture(
  options: EscrowFixtureOptions = {},
): Promise<EscrowFixture> {
  const [postgres, redis, kafka, paystack, issuer] = await Promise.all([
    options.postgres ?? startPostgres(),
    options.redis ?? startRedis(),
    options.kafka ? startKafka() : Promise.resolve(undefined),
    startPaystackServer(paystackSecret),
    createTokenIssuer("https://identity.test.breakwater.dev", "https://escrow.test.breakwater.dev"),
  ]);
  const databaseUrl = await postgres.createDatabase();
  const brokers = kafka ? kafka.brokers.join(",") : `127.0.0.1:${await freePort()}`;
  const replicas: EscrowReplica[] = [];
  const pool = createPool(databaseUrl, undefined, { max: 5 });
  // One token per caller, as a client keeps its access token until it expires.
  const tokens = new Map<string, Promise<{ authorization: string }>>();
  const bearer = (subject: string, scopes: string[]) => {
    const key = `${subject} ${scopes.join(" ")}`;
    let token = tokens.get(key);
    if (token === undefined) {
      token = issuer.token(subject, scopes).then((jwt) => ({ authorization: `Bearer ${jwt}` }));
      tokens.set(key, token);
    }
    return token;
  };
  return {
    postgres,
    redis,
    kafka,
    paystack,
    issuer,
    databaseUrl,
    pool,
    replicas,
    async startReplica(env = {}) {
      const replica = await startService(escrow, {
        ...issuer.env,
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        KAFKA_BROKERS: brokers,
        ADMIN_TOKEN: adminToken,
        REPLICA_ID: `escrow-${replicas.length + 1}-${randomUUID().slice(0, 8)}`,
        LOG_LEVEL: process.env.BREAKWATER_LOG_LEVEL ?? "silent",
        PAYSTACK_URL: paystack.url,
        PAYSTACK_SECRET_KEY: paystackSecret,
        PAYSTACK_TIMEOUT_MS: "1000",
        VAULT_PEPPER: vaultPepper,
        VAULT_SCRYPT_N: String(testScryptN),
        PASSWORD_SCRYPT_N: String(testScryptN),
        PAYOUT_INTERVAL_MS: "100",
        PAYOUT_RETRY_BASE_MS: "200",
        PAYOUT_RETRY_MAX_MS: "1000",
        STUCK_SCAN_INTERVAL_MS: "200",
        CONTROLS_RELOAD_MS: "500",
        OUTBOX_RELAY_INTERVAL_MS: "100",
        OUTBOX_BACKOFF_MAX_MS: "1000",
        SHUTDOWN_GRACE_MS: "2000",
        ...env,
      });
      replicas.push(replica);
      return replica;
    },
    trader: (userId) => bearer(userId, [escrowScopes.trade]),
    superAdmin: (userId) => bearer(userId, [escrowScopes.admin]),
    async stop() {
      await Promise.all(replicas.map((replica) => replica.stop().catch(() => undefined)));
      await pool.end().catch(() => undefined);
      await paystack.stop();
    },
  };
}

/** The steps of a sale through the API of `url`, as its buyer and seller make them. */
export function saleSteps(fixture: EscrowFixture, url: string) {
  async function as(userId: string, method: string, path: string, body?: unknown, headers = {}) {
    return call(url, method, path, body, { ...(await fixture.trader(userId)), ...headers });
  }
  return {
    as,
    /** A listing by `seller` at `amount` minor units. */
    async list(seller: string, amount = "50000", credentials = defaultCredentials) {
      const answer = await as(seller, "POST", "/api/v1/listings", {
        title: `account of ${seller}`,
        amount,
        credentials,
      });
      expectStatus(answer, 201);
      return answer.body as { id: string; amount: string };
    },
    /** `buyer` opens a transaction for the listing. */
    async open(buyer: string, listingId: string, key = randomUUID()) {
      const answer = await as(
        buyer,
        "POST",
        "/api/v1/transactions",
        { listingId },
        {
          "idempotency-key": key,
        },
      );
      expectStatus(answer, 201);
      return answer.body as Json;
    },
    /** The provider announces the payment (signed, as the provider signs). */
    pay(
      transaction: { paymentReference: string; amount: string; currency: string },
      amount?: number,
    ) {
      return webhook(fixture, url, {
        event: "charge.success",
        data: {
          reference: transaction.paymentReference,
          amount: amount ?? Number(transaction.amount),
          currency: transaction.currency,
          status: "success",
        },
      });
    },
    sign: (userId: string, id: string) => as(userId, "POST", `/api/v1/transactions/${id}/sign`),
    confirm: (userId: string, id: string) =>
      as(userId, "POST", `/api/v1/transactions/${id}/confirm`),
    reveal: (userId: string, id: string) => as(userId, "POST", `/api/v1/transactions/${id}/reveal`),
    get: (userId: string, id: string) => as(userId, "GET", `/api/v1/transactions/${id}`),
  };
}

/** A transaction of `seller`'s new listing bought and paid by `buyer` (funds_held). */
export async function heldSale(
  fixture: EscrowFixture,
  url: string,
  parties: { seller: string; buyer: string },
  amount = "50000",
) {
  const steps = saleSteps(fixture, url);
  const listing = await steps.list(parties.seller, amount);
  const opened = await steps.open(parties.buyer, listing.id);
  expectStatus(await steps.pay(opened), 200);
  return opened as Json;
}

/** The same, then signed by both and confirmed by the buyer (released). */
export async function releasedSale(
  fixture: EscrowFixture,
  url: string,
  parties: { seller: string; buyer: string },
  amount = "50000",
) {
  const steps = saleSteps(fixture, url);
  const held = await heldSale(fixture, url, parties, amount);
  expectStatus(await steps.sign(parties.buyer, held.id), 200);
  expectStatus(await steps.sign(parties.seller, held.id), 200);
  expectStatus(await steps.confirm(parties.buyer, held.id), 200);
  return held;
}

/** The status of the seller payout of transaction `id`, once it is `status`. */
export function payoutBecomes(fixture: EscrowFixture, id: string, status: string): Promise<Json> {
  return eventually(`payout of ${id} ${status}`, async () => {
    const result = await fixture.pool.query(
      "SELECT id, status, last_error, attempts FROM escrow_payouts WHERE transaction_id = $1",
      [id],
    );
    return result.rows[0]?.status === status ? result.rows[0] : undefined;
  });
}

export const defaultCredentials = { username: "gamer@example.com", password: "s3cret-pass" };

/** POST a webhook signed with the provider's key (or `signature`). */
export async function webhook(
  fixture: EscrowFixture,
  url: string,
  payload: unknown,
  signature?: string,
): Promise<ApiAnswer> {
  const signed = fixture.paystack.signed(payload);
  const response = await fetch(`${url}/api/v1/webhooks/paystack`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-paystack-signature": signature ?? signed.signature,
    },
    body: signed.body,
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

export function expectStatus(answer: ApiAnswer, status: number): void {
  if (answer.status !== status)
    throw new Error(`expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
}

/** The balance of `account` in `currency` read from the ledger (0 when it has none). */
export async function balance(pool: Pool, account: string, currency = "USD"): Promise<bigint> {
  const result = await pool.query<{ amount: string }>(
    "SELECT amount::text AS amount FROM balances WHERE account = $1 AND currency = $2",
    [account, currency],
  );
  return BigInt(result.rows[0]?.amount ?? "0");
}
