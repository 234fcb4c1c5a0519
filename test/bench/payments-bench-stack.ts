/**
 * @module What the enforcement benchmarks share: three payments replicas as `npm run service
 * -- payments` child processes on real PostgreSQL and Redis (with a real PSP server), a probe
 * that tells whether a replica refuses payouts as halted, and percentile summaries.
 */
import { randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { startPostgres } from "../harness/postgres";
import {
  freePort,
  type ManagedProcess,
  makeTempDir,
  startProcess,
  waitUntil,
} from "../harness/process";
import { startRedis } from "../harness/redis";
import { bearerFor, testIssuer } from "../payments/payments-fixture";
import { startPspServer } from "../payments/psp-server";

const root = resolve(import.meta.dirname, "..", "..");
export const benchAdminToken = "bench-admin-token-0123456789abcdef";
const probeIntervalMs = 5;

export interface Replica {
  readonly url: string;
  readonly process: ManagedProcess;
}

async function startReplica(index: number, env: Record<string, string>): Promise<Replica> {
  const dir = makeTempDir(`payments-${index}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const managed = startProcess({
    name: `payments-${index}`,
    command: process.execPath,
    args: ["--import", "tsx", join(root, "services", "run.ts"), "payments"],
    cwd: root,
    // Warn level: an info line per probe request would cost more than the probe itself.
    env: { ...process.env, ...env, PORT: String(port), REPLICA_ID: `payments-bench-${index}` },
    logPath: join(dir, "service.log"),
  });
  await waitUntil(
    `payments replica ${index} ready`,
    async () => (await fetch(`${url}/health/ready`)).status === 200,
    { process: managed, timeoutMs: 60_000 },
  );
  return { url, process: managed };
}

export interface PaymentsStack {
  readonly replicas: readonly Replica[];
  readonly urls: readonly string[];
  stop(): Promise<void>;
}

/** PostgreSQL, Redis, a PSP server and `count` payments replicas. */
export async function startPaymentsStack(count = 3): Promise<PaymentsStack> {
  const [postgres, redis, psp] = await Promise.all([
    startPostgres(),
    startRedis(),
    startPspServer({}),
  ]);
  const env = {
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: await postgres.createDatabase(),
    REDIS_URL: redis.url,
    KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
    ADMIN_TOKEN: benchAdminToken,
    LOG_LEVEL: "warn",
    PSP_URL: psp.url,
    WEBHOOK_SECRET: "bench-webhook-secret-0123456789",
    ...(await testIssuer()).env,
  };
  const replicas: Replica[] = [];
  for (let index = 1; index <= count; index += 1) replicas.push(await startReplica(index, env));
  return {
    replicas,
    urls: replicas.map((replica) => replica.url),
    async stop() {
      await Promise.all(replicas.map((replica) => replica.process.stop()));
      await Promise.all([psp.stop(), redis.stop(), postgres.stop()]);
    },
  };
}

/** The probe's `Authorization`, minted once (signing per probe would add to what is timed). */
let probeAuthorization: Promise<{ authorization: string }> | undefined;

function probeHeaders(): Promise<{ authorization: string }> {
  probeAuthorization ??= bearerFor("bench");
  return probeAuthorization;
}

/**
 * True when `url` refuses a payout as halted. The payout is from an account that does not
 * exist: a replica that is not halted answers 404/422 without moving money, a halted one
 * answers 423 before looking at accounts.
 */
export async function refuses(url: string): Promise<boolean> {
  const response = await fetch(`${url}/v1/payouts`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "idempotency-key": randomUUID(),
      ...(await probeHeaders()),
    },
    body: JSON.stringify({
      account: "users:bench:nobody",
      amount: "1",
      currency: "BTC",
      destination: "bench",
    }),
  });
  await response.arrayBuffer();
  return response.status === 423;
}

/** Resolves with the time at which `url` first refuses (`probe`, every 5 ms; default a payout). */
export async function firstRefusal(
  url: string,
  deadlineMs: number,
  probe: (url: string) => Promise<boolean> = refuses,
): Promise<number> {
  while (Date.now() < deadlineMs) {
    if (await probe(url)) return performance.now();
    await new Promise((resolvePromise) => setTimeout(resolvePromise, probeIntervalMs));
  }
  throw new Error(`${url} never refused`);
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export interface Summary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

export function summary(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value: number) => Number(value.toFixed(1));
  return {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    min: round(sorted[0]!),
    max: round(sorted.at(-1)!),
  };
}

/** A whole-number `--name N` option of at least 1, or `fallback`. */
export function numberOption(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? fallback : Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name}: expected a whole number of at least 1`);
    process.exit(2);
  }
  return value;
}
