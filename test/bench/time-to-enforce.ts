/**
 * @module `npm run bench -- time-to-enforce [--cycles N]`: from `kubectl apply` of a
 * WithdrawalHalt to the moment every one of three payments replicas refuses a payout (423),
 * over N cycles (default 50): apply, measure, delete, wait for the lift. Real kube-apiserver
 * and etcd, PostgreSQL and Redis; the replicas run as `npm run service -- payments` child
 * processes and the operator as `npm run operator` (operators/main.ts) with its generated
 * RBAC. Prints p50/p99 (target p99 <= 250 ms) and one JSON line last.
 *
 * A probe is a payout from an account that does not exist: a replica that is not halted
 * answers 404/422 without moving money, a halted one answers 423 before looking at accounts.
 */
import { randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { type KubeCluster, startKube } from "../harness/kube";
import { startPostgres } from "../harness/postgres";
import {
  freePort,
  type ManagedProcess,
  makeTempDir,
  startProcess,
  waitUntil,
} from "../harness/process";
import { startRedis } from "../harness/redis";
import { installControls, kubectlOk, withdrawalHaltYaml } from "../operator/cluster";
import { createTokenSecret, startOperatorProcess, writeTargets } from "../operator/operator-runner";
import { startPspServer } from "../payments/psp-server";

const root = resolve(import.meta.dirname, "..", "..");
const adminToken = "bench-admin-token-0123456789abcdef";
const probeIntervalMs = 5;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? fallback : Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name}: expected a whole number of at least 1`);
    process.exit(2);
  }
  return value;
}

interface Replica {
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

/** True when `url` refuses a payout as halted. */
async function refuses(url: string): Promise<boolean> {
  const response = await fetch(`${url}/v1/payouts`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
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

/** Resolves with the time at which `url` first refuses (polling every probeIntervalMs). */
async function firstRefusal(url: string, deadlineMs: number): Promise<number> {
  while (Date.now() < deadlineMs) {
    if (await refuses(url)) return performance.now();
    await new Promise((resolvePromise) => setTimeout(resolvePromise, probeIntervalMs));
  }
  throw new Error(`${url} never refused`);
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

async function cycle(cluster: KubeCluster, urls: readonly string[], index: number) {
  const name = `bench-halt-${index}`;
  const started = performance.now();
  const probes = Promise.all(urls.map((url) => firstRefusal(url, Date.now() + 30_000)));
  const applied = cluster
    .kubectl(["apply", "-f", "-"], { input: withdrawalHaltYaml(name, { currencies: ["BTC"] }) })
    .then((result) => ({ ...result, at: performance.now() }));
  const [refusedAt, apply] = await Promise.all([probes, applied]);
  if (apply.code !== 0) throw new Error(`kubectl apply: ${apply.stderr}`);
  const enforcedMs = Math.max(...refusedAt) - started;
  const kubectlMs = apply.at - started;
  await kubectlOk(cluster, ["delete", "withdrawalhalt", name, "-n", "payments", "--timeout=30s"]);
  await waitUntil(
    "the halt is lifted on every replica",
    async () => (await Promise.all(urls.map(refuses))).every((refused) => !refused),
    { intervalMs: 10 },
  );
  return { enforcedMs, kubectlMs };
}

async function main(): Promise<void> {
  const cycles = option("cycles", 50);
  console.log(
    `time-to-enforce: starting kube-apiserver, PostgreSQL, Redis, 3 payments replicas, the operator`,
  );
  const [cluster, postgres, redis, psp] = await Promise.all([
    startKube(),
    startPostgres(),
    startRedis(),
    startPspServer({}),
  ]);
  const databaseUrl = await postgres.createDatabase();
  const env = {
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
    ADMIN_TOKEN: adminToken,
    LOG_LEVEL: "warn",
    PSP_URL: psp.url,
    WEBHOOK_SECRET: "bench-webhook-secret-0123456789",
  };
  const replicas: Replica[] = [];
  for (let index = 1; index <= 3; index += 1) replicas.push(await startReplica(index, env));
  const urls = replicas.map((replica) => replica.url);
  await installControls(cluster);
  await createTokenSecret(cluster, adminToken);
  const operator = await startOperatorProcess(cluster, "bench", {
    OPERATOR_TARGETS_FILE: writeTargets({ paymentsUrl: urls[0]! }),
  });
  await waitUntil("the operator leads", async () =>
    (await operator.metrics()).includes("breakwater_operator_leader 1"),
  );

  // One unmeasured cycle warms connections, caches and JIT.
  await cycle(cluster, urls, 0);
  const samples: number[] = [];
  const kubectlSamples: number[] = [];
  for (let index = 1; index <= cycles; index += 1) {
    const measured = await cycle(cluster, urls, index);
    samples.push(measured.enforcedMs);
    kubectlSamples.push(measured.kubectlMs);
    if (index % 10 === 0) console.log(`  ${index}/${cycles} cycles`);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const kubectlSorted = [...kubectlSamples].sort((a, b) => a - b);
  const result = {
    benchmark: "time-to-enforce",
    cycles,
    replicas: 3,
    p50Ms: Number(percentile(sorted, 50).toFixed(1)),
    p90Ms: Number(percentile(sorted, 90).toFixed(1)),
    p99Ms: Number(percentile(sorted, 99).toFixed(1)),
    minMs: Number(sorted[0]!.toFixed(1)),
    maxMs: Number(sorted.at(-1)!.toFixed(1)),
    kubectlApplyP50Ms: Number(percentile(kubectlSorted, 50).toFixed(1)),
    kubectlApplyP99Ms: Number(percentile(kubectlSorted, 99).toFixed(1)),
    targetP99Ms: 250,
    metTarget: percentile(sorted, 99) <= 250,
  };
  console.log(`from kubectl apply to 3/3 replicas refusing payouts, ${cycles} cycles:`);
  console.log(
    `  p50 ${result.p50Ms} ms, p90 ${result.p90Ms} ms, p99 ${result.p99Ms} ms (min ${result.minMs}, max ${result.maxMs}); target p99 <= 250 ms: ${result.metTarget ? "met" : "NOT met"}`,
  );
  console.log(
    `  of which kubectl apply itself (process start to exit): p50 ${result.kubectlApplyP50Ms} ms, p99 ${result.kubectlApplyP99Ms} ms`,
  );
  await operator.process.stop();
  await Promise.all(replicas.map((replica) => replica.process.stop()));
  await Promise.all([psp.stop(), redis.stop(), postgres.stop(), cluster.stop()]);
  console.log(JSON.stringify(result));
}

await main();
