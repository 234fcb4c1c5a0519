/**
 * @module `npm run bench -- payments`: transfers per second and p50/p99 latency through the
 * HTTP API of a payments replica (its own process, started with `npm run service`), against
 * the same ledger writes done directly in SQL from Node as the baseline (target ratio ≥ 0.5):
 * the very transaction a transfer commits (posting + outbox event), called without HTTP;
 * then payout creation with 100 active controls against none (target ratio ≥ 0.97). It also
 * prints the CPU each side costs per transfer, split into the client, the replica and
 * PostgreSQL (from /proc), which says where a gap comes from. Real
 * PostgreSQL and Redis from the harness, loopback only, bounded durations. The outbox relay
 * and the payout worker are slowed down so that only the request path is measured.
 *
 * Fair by construction: both sides get the same PostgreSQL pool size (`DATABASE_POOL_MAX` for
 * the replica, the same `max` for the baseline's pool), the replica logs at `warn`, both commit
 * the same transaction (`createTransfer`), and the measured time is cut into short rounds that
 * alternate which side goes first, so drift and a busy neighbour hit both alike.
 *
 * Options: `--seconds N` per measured phase (default 8), `--concurrency N` (default 32),
 * `--rounds N` alternating rounds per phase (default 8), `--pool N` connections per side
 * (default 10).
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { createPool } from "../../services/kit/db";
import { createTransfer } from "../../services/payments/transfers";
import { startPostgres } from "../harness/postgres";
import { freePort, waitUntil } from "../harness/process";
import { startRedis } from "../harness/redis";
import {
  adminToken,
  asAdmin,
  bearerFor,
  call,
  fundedWallet,
  testIssuer,
  webhookSecret,
} from "../payments/payments-fixture";
import { startPspServer } from "../payments/psp-server";
import { ownCpuMs, processCpuMs, treeCpuMs } from "./cpu";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const seconds = option("seconds", 8);
const concurrency = option("concurrency", 32);
const rounds = option("rounds", 8);
const poolMax = option("pool", 10);
const walletCount = 64;
const wallets = Array.from({ length: walletCount }, (_, index) => `users:bench${index}:wallet`);

interface Phase {
  readonly operations: number;
  readonly failures: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU microseconds per successful operation, by process: where the time went. */
  readonly cpuUs: CpuSplit;
}

interface CpuSplit {
  readonly client: number;
  readonly service: number;
  readonly postgres: number;
}

/** Where CPU is read from: set once the replica and PostgreSQL run. */
const cpuSources = { servicePid: 0, postgresPid: 0 };

function cpuNow(): CpuSplit {
  return {
    client: ownCpuMs(),
    service: cpuSources.servicePid ? processCpuMs(cpuSources.servicePid) : 0,
    postgres: cpuSources.postgresPid ? treeCpuMs(cpuSources.postgresPid) : 0,
  };
}

/** Run `operation` from `concurrency` loops for `durationMs`; count and time the successes. */
async function measure(
  durationMs: number,
  operation: (index: number) => Promise<boolean>,
): Promise<Phase> {
  const latencies: number[] = [];
  let failures = 0;
  let counter = 0;
  const cpuBefore = cpuNow();
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const begin = performance.now();
        const ok = await operation(counter++).catch(() => false);
        if (ok) latencies.push(performance.now() - begin);
        else failures += 1;
      }
    }),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuNow();
  const perOperation = (ms: number) => (ms * 1000) / Math.max(1, latencies.length);
  latencies.sort((a, b) => a - b);
  const at = (quantile: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] ?? 0;
  return {
    operations: latencies.length,
    failures,
    perSecond: latencies.length / elapsedSeconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    cpuUs: {
      client: perOperation(cpuAfter.client - cpuBefore.client),
      service: perOperation(cpuAfter.service - cpuBefore.service),
      postgres: perOperation(cpuAfter.postgres - cpuBefore.postgres),
    },
  };
}

function pair(index: number): [string, string] {
  const source = wallets[(index * 17) % walletCount]!;
  const target = wallets[(index * 17 + 1 + (index % (walletCount - 1))) % walletCount]!;
  return [source, target === source ? wallets[(index + 1) % walletCount]! : target];
}

async function startReplica(
  env: Record<string, string>,
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const root = join(import.meta.dirname, "..", "..");
  // BENCH_CPU_PROFILE_DIR=dir writes a V8 CPU profile of the replica there, to find hot spots.
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(
    process.execPath,
    [...profile, "--import", "tsx", join(root, "services", "run.ts"), "payments"],
    {
      cwd: root,
      env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntil("payments replica", async () => (await fetch(`${url}/health/ready`)).ok, {
    timeoutMs: 60_000,
  });
  return {
    url,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Keep-alive connections, one per concurrent loop: the client should cost as little CPU as it can. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * Each wallet's owner's `Authorization` (wallet `users:<subject>:wallet`): every transfer and
 * payout is sent by the user whose money moves, as in production.
 */
const ownerAuthorization = new Map<string, string>();

async function signInOwners(): Promise<void> {
  for (const wallet of wallets) {
    const subject = wallet.split(":")[1]!;
    ownerAuthorization.set(wallet, (await bearerFor(subject)).authorization);
  }
}

/** POST JSON with a fresh Idempotency-Key as `owner`; resolves with the status once the body is read. */
function post(url: string, path: string, body: string, owner: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${url}${path}`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "idempotency-key": randomUUID(),
          authorization: ownerAuthorization.get(owner) ?? "",
        },
      },
      (incoming) => {
        incoming.resume();
        incoming.once("end", () => resolve(incoming.statusCode ?? 0));
        incoming.once("error", reject);
      },
    );
    outgoing.once("error", reject);
    outgoing.end(body);
  });
}

/** Several rounds as one phase: summed operations over summed time, worst p99, mean p50. */
function combine(phases: readonly Phase[], roundMs: number): Phase {
  const operations = phases.reduce((sum, phase) => sum + phase.operations, 0);
  return {
    operations,
    failures: phases.reduce((sum, phase) => sum + phase.failures, 0),
    perSecond: operations / ((phases.length * roundMs) / 1000),
    p50Ms: phases.reduce((sum, phase) => sum + phase.p50Ms, 0) / phases.length,
    p99Ms: Math.max(...phases.map((phase) => phase.p99Ms)),
    cpuUs: {
      client: weighted(phases, operations, (cpu) => cpu.client),
      service: weighted(phases, operations, (cpu) => cpu.service),
      postgres: weighted(phases, operations, (cpu) => cpu.postgres),
    },
  };
}

/** A per-operation CPU figure over several rounds, weighted by each round's operations. */
function weighted(
  phases: readonly Phase[],
  operations: number,
  pick: (cpu: CpuSplit) => number,
): number {
  const total = phases.reduce((sum, phase) => sum + pick(phase.cpuUs) * phase.operations, 0);
  return total / Math.max(1, operations);
}

function roundCpu(cpu: CpuSplit): CpuSplit {
  return {
    client: Math.round(cpu.client),
    service: Math.round(cpu.service),
    postgres: Math.round(cpu.postgres),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const format = (phase: Phase) =>
  `${phase.perSecond.toFixed(0)}/s  p50 ${phase.p50Ms.toFixed(1)} ms  p99 ${phase.p99Ms.toFixed(1)} ms  (${phase.operations} ok, ${phase.failures} failed)`;

const formatCpu = ({ cpuUs }: Phase) =>
  `client ${cpuUs.client.toFixed(0)} µs, service ${cpuUs.service.toFixed(0)} µs, postgres ${cpuUs.postgres.toFixed(0)} µs`;

async function main(): Promise<void> {
  const [postgres, redis, psp] = await Promise.all([
    startPostgres(),
    startRedis(),
    startPspServer(),
  ]);
  const databaseUrl = await postgres.createDatabase();
  const replica = await startReplica({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
    ADMIN_TOKEN: adminToken,
    PSP_URL: psp.url,
    WEBHOOK_SECRET: webhookSecret,
    ...(await testIssuer()).env,
    PAYOUT_INTERVAL_MS: "3600000",
    RECONCILIATION_INTERVAL_MS: "3600000",
    OUTBOX_RELAY_INTERVAL_MS: "3600000",
    DATABASE_POOL_MAX: String(poolMax),
  });
  cpuSources.servicePid = replica.pid;
  cpuSources.postgresPid = postgres.pid ?? 0;
  const pool = createPool(databaseUrl, undefined, { max: poolMax });
  try {
    for (const wallet of wallets) await fundedWallet(replica.url, wallet, 1_000_000_000_000n);
    await signInOwners();
    const durationMs = seconds * 1000;
    const roundMs = Math.max(1000, Math.floor(durationMs / rounds));

    const transfer = async (index: number) => {
      const [source, target] = pair(index);
      const body = JSON.stringify({ source, target, amount: "1", currency: "USD" });
      return (await post(replica.url, "/v1/transfers", body, source)) === 201;
    };
    // The baseline commits exactly what the API commits for a transfer (the ledger posting and
    // its outbox event in one transaction), minus HTTP, validation and the idempotency store.
    const direct = async (index: number) => {
      const [source, target] = pair(index);
      await createTransfer(pool, {
        source,
        target,
        amount: 1n,
        currency: "USD",
        reference: randomUUID(),
      });
      return true;
    };
    await measure(1000, transfer); // warm-up: JIT, pools, plans
    await measure(1000, direct);
    // Alternate rounds, and which side goes first, so that drift (a growing table, a busy
    // neighbour) hits both sides alike.
    const apiRounds: Phase[] = [];
    const sqlRounds: Phase[] = [];
    for (let round = 0; round < rounds; round += 1) {
      if (round % 2 === 0) {
        apiRounds.push(await measure(roundMs, transfer));
        sqlRounds.push(await measure(roundMs, direct));
      } else {
        sqlRounds.push(await measure(roundMs, direct));
        apiRounds.push(await measure(roundMs, transfer));
      }
    }
    const api = combine(apiRounds, roundMs);
    const sql = combine(sqlRounds, roundMs);
    console.log(`transfers via HTTP API : ${format(api)}`);
    console.log(`same writes, direct SQL: ${format(sql)}`);
    console.log(`CPU per API transfer   : ${formatCpu(api)}`);
    console.log(`CPU per SQL transfer   : ${formatCpu(sql)}`);
    const apiRatio = api.perSecond / sql.perSecond;
    // Each round's ratio too: their spread says how much the machine's noise moved the result.
    const roundRatios = apiRounds.map(
      (phase, round) => phase.perSecond / (sqlRounds[round]?.perSecond ?? Number.NaN),
    );
    const medianRatio = median(roundRatios);
    console.log(
      `API / SQL ratio        : ${apiRatio.toFixed(3)} (target >= 0.5); per round ${roundRatios.map((ratio) => ratio.toFixed(2)).join(" ")}, median ${medianRatio.toFixed(3)}`,
    );

    const payout = async () => {
      const account = wallets[Math.floor(Math.random() * walletCount)]!;
      const response = await fetch(`${replica.url}/v1/payouts`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "idempotency-key": randomUUID(),
          authorization: ownerAuthorization.get(account) ?? "",
        },
        body: JSON.stringify({
          account,
          amount: "1",
          currency: "USD",
          destination: "acct-bench",
        }),
      });
      await response.arrayBuffer();
      return response.status === 201;
    };
    const controlIds = Array.from(
      { length: 100 },
      (_, index) => `withdrawalhalt.payments.bench-${index}`,
    );
    const setControls = async (active: boolean) => {
      for (const [index, id] of controlIds.entries()) {
        // Active halts on other currencies: every payout is checked against all of them.
        const answer = active
          ? await call(
              replica.url,
              "PUT",
              `/admin/v1/controls/${id}`,
              {
                kind: "WithdrawalHalt",
                spec: {
                  scope: {
                    services: ["payments"],
                    currencies: [`X${String(index).padStart(2, "0")}A`],
                  },
                },
                source: { uid: id, generation: 1, namespace: "payments", name: `bench-${index}` },
                reason: "benchmark",
                ticket: "BENCH-1",
                actor: "bench",
              },
              asAdmin,
            )
          : await call(replica.url, "DELETE", `/admin/v1/controls/${id}`, undefined, asAdmin);
        if (answer.status !== 200) throw new Error(`control ${id}: ${answer.status}`);
      }
      const listed = await call(replica.url, "GET", "/admin/v1/controls", undefined, asAdmin);
      if (listed.body.controls.length !== (active ? 100 : 0))
        throw new Error("controls not in place");
      await waitUntil("replica acknowledged", async () => {
        const now = await call(replica.url, "GET", "/admin/v1/controls", undefined, asAdmin);
        return now.body.replicas.every(
          (item: { version: number }) => item.version >= now.body.version,
        );
      });
    };
    const none: Phase[] = [];
    const hundred: Phase[] = [];
    await measure(1000, payout);
    for (let round = 0; round < rounds; round += 1) {
      none.push(await measure(roundMs, payout));
      await setControls(true);
      hundred.push(await measure(roundMs, payout));
      await setControls(false);
    }
    const noneRate = combine(none, roundMs).perSecond;
    const hundredRate = combine(hundred, roundMs).perSecond;
    const controlsRatio = hundredRate / noneRate;
    console.log(`payouts, no controls   : ${format(combine(none, roundMs))}`);
    console.log(`payouts, 100 controls  : ${format(combine(hundred, roundMs))}`);
    console.log(`100 controls / none    : ${controlsRatio.toFixed(3)} (target >= 0.97)`);
    console.log(
      JSON.stringify({
        benchmark: "payments",
        concurrency,
        seconds,
        apiTransfersPerSecond: Math.round(api.perSecond),
        apiP50Ms: Number(api.p50Ms.toFixed(2)),
        apiP99Ms: Number(api.p99Ms.toFixed(2)),
        apiFailures: api.failures,
        sqlTransfersPerSecond: Math.round(sql.perSecond),
        sqlP50Ms: Number(sql.p50Ms.toFixed(2)),
        sqlP99Ms: Number(sql.p99Ms.toFixed(2)),
        apiToSqlRatio: Number(apiRatio.toFixed(3)),
        apiToSqlRatioMedianRound: Number(medianRatio.toFixed(3)),
        apiCpuUsPerTransfer: roundCpu(api.cpuUs),
        sqlCpuUsPerTransfer: roundCpu(sql.cpuUs),
        rounds,
        poolMax,
        payoutsPerSecondNoControls: Math.round(noneRate),
        payoutsPerSecond100Controls: Math.round(hundredRate),
        controlsRatio: Number(controlsRatio.toFixed(3)),
      }),
    );
  } finally {
    await pool.end();
    await replica.stop();
    await psp.stop();
    await Promise.all([redis.stop(), postgres.stop()]);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
