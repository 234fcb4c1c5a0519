/**
 * @module `npm run bench -- escrow`: sales per second from opening a transaction to its
 * release (open, signed payment webhook, both signatures, the buyer's confirmation) through
 * the HTTP API of an escrow replica against the very same steps called straight from Node on
 * that replica, in alternating rounds (target ratio ≥ 0.5); then the latency of
 * `POST /api/v1/transactions/{id}/reveal` with the vault's production key derivation (scrypt
 * N = 2^15, r = 8, p = 1 unless `--scrypt-n`), whose cost is deliberate: p50 and p99 are
 * printed with the parameters. Real PostgreSQL, Redis and the provider on loopback.
 *
 * Options: `--seconds N` per side and round (default 3), `--rounds N` (default 3),
 * `--concurrency N` (default 8), `--reveals N` (default 40), `--scrypt-n N` (default 32768).
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { contextOf } from "../../services/escrow/index";
import { recordPaymentEvent } from "../../services/escrow/payment-events";
import { confirmAccess, openTransaction, signContract } from "../../services/escrow/trades";
import {
  type EscrowFixture,
  type EscrowReplica,
  saleSteps,
  startEscrowFixture,
} from "../escrow/escrow-fixture";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "8" },
    reveals: { type: "string", default: "40" },
    "scrypt-n": { type: "string", default: String(2 ** 15) },
  },
});
const concurrency = Number(values.concurrency);

async function drive(seconds: number, one: (worker: number) => Promise<void>) {
  const until = Date.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (Date.now() < until) {
        await one(worker).then(
          () => (ok += 1),
          () => (failed += 1),
        );
      }
    }),
  );
  return { ok, failed };
}

/** A listing per sale, made before the clock starts (sealing credentials is not measured). */
async function listings(fixture: EscrowFixture, replica: EscrowReplica, count: number) {
  const steps = saleSteps(fixture, replica.url);
  const made: string[] = [];
  for (let start = 0; start < count; start += 32) {
    const batch = Math.min(32, count - start);
    const ids = await Promise.all(
      Array.from({ length: batch }, (_, index) =>
        steps.list(`bench-seller${(start + index) % 50}`, "2500"),
      ),
    );
    made.push(...ids.map((listing) => listing.id));
  }
  return made;
}

async function viaApi(
  fixture: EscrowFixture,
  replica: EscrowReplica,
  listingId: string,
  buyer: string,
) {
  const steps = saleSteps(fixture, replica.url);
  const opened = await steps.open(buyer, listingId);
  const paid = await steps.pay(opened);
  if (paid.status !== 200) throw new Error(`pay ${paid.status}`);
  const seller = opened.sellerId as string;
  if ((await steps.sign(buyer, opened.id)).status !== 200) throw new Error("sign");
  if ((await steps.sign(seller, opened.id)).status !== 200) throw new Error("sign");
  if ((await steps.confirm(buyer, opened.id)).status !== 200) throw new Error("confirm");
}

async function direct(replica: EscrowReplica, listingId: string, buyer: string) {
  const { pool } = replica.context;
  const { transaction } = await openTransaction(pool, {
    buyerId: buyer,
    listingId,
    reference: randomUUID(),
  });
  const payload = {
    event: "charge.success",
    data: {
      reference: transaction.paymentReference,
      amount: Number(transaction.amount),
      currency: transaction.currency,
    },
  };
  await recordPaymentEvent(pool, payload, payload);
  await signContract(pool, transaction.id, "buyer", buyer);
  await signContract(pool, transaction.id, "seller", transaction.sellerId);
  await confirmAccess(pool, transaction.id, buyer);
}

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const fixture = await startEscrowFixture();
  const replica = await fixture.startReplica({ LOG_LEVEL: "error", DATABASE_POOL_MAX: "20" });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  // More listings than a side can sell in its time (a sale takes several round trips).
  const perSide = Math.ceil(seconds * 150);
  let apiOk = 0;
  let directOk = 0;
  let apiSeconds = 0;
  let directSeconds = 0;
  for (let round = 0; round < rounds; round += 1) {
    for (const side of ["api", "direct"] as const) {
      const pool = await listings(fixture, replica, perSide);
      let next = 0;
      const started = performance.now();
      const result = await drive(seconds, async (worker) => {
        const listingId = pool[next++];
        if (listingId === undefined) throw new Error("out of listings");
        const buyer = `bench-buyer${worker}`;
        if (side === "api") await viaApi(fixture, replica, listingId, buyer);
        else await direct(replica, listingId, buyer);
      });
      const elapsed = (performance.now() - started) / 1000;
      console.log(
        `round ${round + 1} ${side}: ${result.ok} sales, ${result.failed} failed, ${(result.ok / elapsed).toFixed(1)}/s`,
      );
      if (side === "api") {
        apiOk += result.ok;
        apiSeconds += elapsed;
      } else {
        directOk += result.ok;
        directSeconds += elapsed;
      }
    }
  }
  const apiRate = apiOk / apiSeconds;
  const directRate = directOk / directSeconds;

  const scryptN = Number(values["scrypt-n"]);
  const revealer = await fixture.startReplica({
    LOG_LEVEL: "warn",
    VAULT_SCRYPT_N: String(scryptN),
  });
  const steps = saleSteps(fixture, revealer.url);
  const listing = await steps.list("bench-reveal-seller", "2500");
  const opened = await steps.open("bench-reveal-buyer", listing.id);
  await steps.pay(opened);
  const latencies: number[] = [];
  for (let index = 0; index < Number(values.reveals); index += 1) {
    const started = performance.now();
    const answer = await steps.reveal("bench-reveal-buyer", opened.id);
    if (answer.status !== 200) throw new Error(`reveal ${answer.status}`);
    latencies.push(performance.now() - started);
  }
  latencies.sort((left, right) => left - right);
  const kdf = contextOf(revealer.context).vault.kdf;
  const result = {
    benchmark: "escrow",
    apiSalesPerSecond: Number(apiRate.toFixed(1)),
    directSalesPerSecond: Number(directRate.toFixed(1)),
    ratio: Number((apiRate / directRate).toFixed(3)),
    ratioTarget: 0.5,
    revealP50Ms: Number(percentile(latencies, 0.5).toFixed(1)),
    revealP99Ms: Number(percentile(latencies, 0.99).toFixed(1)),
    reveals: latencies.length,
    kdf: { ...kdf, memoryMiB: (128 * kdf.N * kdf.r) / 2 ** 20 },
  };
  console.log(
    `API ${result.apiSalesPerSecond}/s vs direct ${result.directSalesPerSecond}/s: ratio ${result.ratio} (target ≥ 0.5)`,
  );
  console.log(
    `reveal p50 ${result.revealP50Ms} ms, p99 ${result.revealP99Ms} ms with scrypt N=${kdf.N} r=${kdf.r} p=${kdf.p} (${result.kdf.memoryMiB} MiB per derivation)`,
  );
  await fixture.stop();
  console.log(JSON.stringify(result));
}

await main();
process.exit(0);
