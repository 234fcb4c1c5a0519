/**
 * @module `npm run bench -- purchasing`: purchases per second through the HTTP API of a
 * purchasing replica against the very same purchase (`makePurchase`: reserve, lock, route to
 * a real provider over HTTP, capture) called directly from Node on the same replica, in
 * alternating rounds (target ratio ≥ 0.5); then, with three providers, the top one is killed
 * under load: the share of purchases users saw fail (target < 1%) and the time from its
 * breaker opening until purchases skip it (target ≤ 1 s). Real PostgreSQL, Redis and
 * providers on loopback; bounded durations.
 *
 * Options: `--seconds N` per side and round (default 3), `--rounds N` (default 4),
 * `--concurrency N` (default 16).
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import type { CommonConfig } from "../../services/kit/config";
import { type RunningService, startService } from "../../services/kit/service";
import type { PurchasingConfig } from "../../services/purchasing/config";
import { contextOf, service as purchasing } from "../../services/purchasing/index";
import { makePurchase } from "../../services/purchasing/purchase-flow";
import { startPostgres } from "../harness/postgres";
import { freePort } from "../harness/process";
import { startRedis } from "../harness/redis";
import { createTokenIssuer } from "../kit/token-issuer";
import { asAdmin, call } from "../payments/payments-fixture";
import { startProviderServer } from "../purchasing/provider-server";
import { adminToken, asUser, cronSecret, fundWallet } from "../purchasing/purchasing-fixture";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    rounds: { type: "string", default: "4" },
    concurrency: { type: "string", default: "16" },
  },
});
const secondsPerSide = Number(values.seconds);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);

type Replica = RunningService<CommonConfig & PurchasingConfig>;

/** Run `one` from `concurrency` loops for `seconds`; answers completed and failed counts. */
async function drive(seconds: number, one: (worker: number) => Promise<boolean>) {
  const until = Date.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (Date.now() < until) {
        if (await one(worker).catch(() => false)) ok += 1;
        else failed += 1;
      }
    }),
  );
  return { ok, failed };
}

async function main(): Promise<void> {
  const [postgres, redis, issuer, a, b, c] = await Promise.all([
    startPostgres(),
    startRedis(),
    createTokenIssuer("https://identity.bench", "https://purchasing.bench"),
    startProviderServer("a"),
    startProviderServer("b"),
    startProviderServer("c"),
  ]);
  let summary = "";
  const replica: Replica = await startService(purchasing, {
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: await postgres.createDatabase(),
    REDIS_URL: redis.url,
    KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
    ADMIN_TOKEN: adminToken,
    CRON_SECRET: cronSecret,
    LOG_LEVEL: "error",
    OUTBOX_RELAY_INTERVAL_MS: "60000",
    RECONCILE_INTERVAL_MS: "3600000",
    ...issuer.env,
  });
  try {
    for (const [provider, priority] of [
      [a, 10],
      [b, 20],
      [c, 30],
    ] as const) {
      await call(
        replica.url,
        "PUT",
        `/v1/providers/${provider.name}`,
        { priority, settings: { url: provider.url } },
        asAdmin,
      );
    }
    const subjects = Array.from({ length: concurrency }, (_, index) => `bench${index}`);
    for (const subject of subjects) await fundWallet(replica.url, subject, 1_000_000_000n);
    const headers = await Promise.all(subjects.map((subject) => asUser(issuer, subject)));
    const { flow } = contextOf(replica.context);

    const viaApi = async (worker: number) => {
      const answer = await call(
        replica.url,
        "POST",
        "/v1/purchases",
        {
          account: `users:${subjects[worker]}:wallet`,
          item: "sku-bench",
          amount: "1",
          currency: "USD",
        },
        { ...headers[worker]!, "idempotency-key": randomUUID() },
      );
      return answer.status === 201;
    };
    const direct = async (worker: number) => {
      const done = await makePurchase(flow, {
        reference: randomUUID(),
        account: `users:${subjects[worker]}:wallet`,
        item: "sku-bench",
        amount: 1n,
        currency: "USD",
      });
      return done.status === "completed";
    };
    await drive(1, direct);
    await drive(1, viaApi);
    let apiCount = 0;
    let directCount = 0;
    for (let round = 0; round < rounds; round += 1) {
      const sides = round % 2 === 0 ? [viaApi, direct] : [direct, viaApi];
      for (const side of sides) {
        const result = await drive(secondsPerSide, side);
        if (side === viaApi) apiCount += result.ok;
        else directCount += result.ok;
      }
    }
    const apiRate = apiCount / (rounds * secondsPerSide);
    const directRate = directCount / (rounds * secondsPerSide);
    console.log(`API     ${apiRate.toFixed(0)} purchases/s`);
    console.log(`direct  ${directRate.toFixed(0)} purchases/s`);
    console.log(`ratio   ${(apiRate / directRate).toFixed(2)} (target >= 0.5)`);

    // Failover: the top provider dies hard under load.
    let openedAt: number | undefined;
    let skippedAt: number | undefined;
    const watch = setInterval(() => {
      if (openedAt === undefined && flow.breakers.state("a") === "open") openedAt = Date.now();
    }, 2);
    const outage = async (worker: number) => {
      const answer = await call(
        replica.url,
        "POST",
        "/v1/purchases",
        {
          account: `users:${subjects[worker]}:wallet`,
          item: "sku-bench",
          amount: "1",
          currency: "USD",
        },
        { ...headers[worker]!, "idempotency-key": randomUUID() },
      );
      const first = answer.body?.attempts?.[0];
      if (answer.status === 201 && first?.outcome === "rejected" && skippedAt === undefined) {
        skippedAt = Date.now();
      }
      return answer.status === 201;
    };
    const killer = setTimeout(() => void a.stop(), 1_000);
    const result = await drive(Math.max(4, secondsPerSide), outage);
    clearTimeout(killer);
    clearInterval(watch);
    const total = result.ok + result.failed;
    const failedPercent = (100 * result.failed) / total;
    const failoverMs =
      openedAt !== undefined && skippedAt !== undefined ? skippedAt - openedAt : null;
    console.log(
      `outage  ${total} purchases, ${result.failed} failed (${failedPercent.toFixed(2)}%, target < 1%)`,
    );
    console.log(
      `failover ${failoverMs ?? "n/a"} ms from the breaker opening to purchases skipping a (target <= 1000)`,
    );
    summary = JSON.stringify({
      benchmark: "purchasing",
      apiPerSecond: Math.round(apiRate),
      directPerSecond: Math.round(directRate),
      ratio: Number((apiRate / directRate).toFixed(2)),
      outagePurchases: total,
      outageFailedPercent: Number(failedPercent.toFixed(2)),
      failoverMs,
    });
  } finally {
    await replica.stop();
    await Promise.all([a.stop(), b.stop(), c.stop()]);
    await Promise.all([postgres.stop(), redis.stop()]);
  }
  // The result is the last line, after every server has stopped.
  console.log(summary);
}

await main();
