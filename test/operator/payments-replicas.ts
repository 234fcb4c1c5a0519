/**
 * @module Three real payments replicas (the kit's startService, as `npm run service --
 * payments` runs them) with their PostgreSQL and Redis, plus the probes the operator tests
 * and the time-to-enforce benchmark use: try a payout on every replica.
 */
import { randomUUID } from "node:crypto";
import {
  adminToken,
  call,
  fundedWallet,
  type PaymentsFixture,
  startPaymentsFixture,
} from "../payments/payments-fixture";

export { adminToken };

export interface PaymentsReplicas {
  readonly fixture: PaymentsFixture;
  readonly urls: string[];
  stop(): Promise<void>;
}

/**
 * Start PostgreSQL, Redis and three payments replicas (with `env` added to their settings);
 * fund a BTC and an ETH wallet.
 */
export async function startPaymentsReplicas(
  count = 3,
  env: Record<string, string> = {},
): Promise<PaymentsReplicas> {
  const fixture = await startPaymentsFixture();
  for (let index = 0; index < count; index += 1) await fixture.startReplica(env);
  const first = fixture.replicas[0]!.url;
  await fundedWallet(first, "users:treasury:btc", 1_000_000_000n, "BTC");
  await fundedWallet(first, "users:treasury:eth", 1_000_000_000n, "ETH");
  return {
    fixture,
    urls: fixture.replicas.map((replica) => replica.url),
    stop: () =>
      fixture
        .stop()
        .then(() => Promise.all([fixture.postgres.stop(), fixture.redis.stop()]))
        .then(() => {}),
  };
}

export interface PayoutAnswer {
  readonly status: number;
  readonly body: { type?: string; ticket?: string; control?: string; id?: string };
}

/** Ask `url` for a small payout in `currency` (a new Idempotency-Key each time). */
export async function tryPayout(url: string, currency: "BTC" | "ETH"): Promise<PayoutAnswer> {
  const answer = await call(
    url,
    "POST",
    "/v1/payouts",
    {
      account: currency === "BTC" ? "users:treasury:btc" : "users:treasury:eth",
      amount: "1",
      currency,
      destination: "bc1qtestdestination",
    },
    { "idempotency-key": randomUUID() },
  );
  return { status: answer.status, body: answer.body };
}

/** Whether every replica refuses a payout in `currency` as halted (423). */
export async function allRefuse(
  urls: readonly string[],
  currency: "BTC" | "ETH",
): Promise<boolean> {
  const answers = await Promise.all(urls.map((url) => tryPayout(url, currency)));
  return answers.every((answer) => answer.status === 423);
}

/** Whether every replica accepts a payout in `currency` (201). */
export async function allAccept(
  urls: readonly string[],
  currency: "BTC" | "ETH",
): Promise<boolean> {
  const answers = await Promise.all(urls.map((url) => tryPayout(url, currency)));
  return answers.every((answer) => answer.status === 201);
}
