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
 * A watch of its own records when the API server announces the new object; from then on
 * each replica is probed every 5 ms, so a figure is the true time plus at most one probe.
 * The announcement also splits the figure into kubectl's part (process start, discovery,
 * the create) and the platform's part (operator, service, replicas).
 */
import { randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { createKubeApi } from "../../operators/runtime/kube-api";
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
import { bearerFor, testIssuer } from "../payments/payments-fixture";
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

/** The probe's `Authorization`, minted once (signing per probe would add to what is timed). */
let probeAuthorization: Promise<{ authorization: string }> | undefined;

/** True when `url` refuses a payout as halted. */
async function refuses(url: string): Promise<boolean> {
  const response = await fetch(`${url}/v1/payouts`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "idempotency-key": randomUUID(),
      ...(await (probeAuthorization ??= bearerFor("bench"))),
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

/** When the API server announced each WithdrawalHalt (by name), seen through a watch. */
const announcedAt = new Map<string, number>();
const announcementWaiters = new Map<string, () => void>();

/** Resolves once the API server has announced `name`. */
function announced(name: string): Promise<void> {
  if (announcedAt.has(name)) return Promise.resolve();
  return new Promise((resolvePromise) => announcementWaiters.set(name, resolvePromise));
}

function watchAnnouncements(cluster: KubeCluster): AbortController {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(cluster.kubeconfigPath);
  const api = createKubeApi(kubeconfig);
  const stop = new AbortController();
  const path = "/apis/ops.breakwater.dev/v1alpha1/namespaces/payments/withdrawalhalts";
  void (async () => {
    while (!stop.signal.aborted) {
      const list = await api.list<{ metadata: { resourceVersion: string } }>(path);
      const query = `watch=1&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=3600`;
      await api
        .watch<{ metadata: { name: string } }>(
          `${path}?${query}`,
          (event) => {
            const name = event.object.metadata?.name;
            if (event.type === "ADDED" && name && !announcedAt.has(name)) {
              announcedAt.set(name, performance.now());
              announcementWaiters.get(name)?.();
              announcementWaiters.delete(name);
            }
          },
          stop.signal,
        )
        .catch(() => undefined);
    }
  })();
  return stop;
}

interface Sample {
  readonly enforcedMs: number;
  readonly kubectlMs: number;
  readonly afterCreateMs: number;
}

async function cycle(
  cluster: KubeCluster,
  urls: readonly string[],
  index: number,
): Promise<Sample> {
  const name = `bench-halt-${index}`;
  const started = performance.now();
  // Nothing can refuse before the object exists, so probing starts when the API server
  // announces it: probes running during kubectl's start-up would only slow kubectl down.
  const probes = announced(name).then(() =>
    Promise.all(urls.map((url) => firstRefusal(url, Date.now() + 30_000))),
  );
  const applied = cluster
    .kubectl(["apply", "-f", "-"], { input: withdrawalHaltYaml(name, { currencies: ["BTC"] }) })
    .then((result) => ({ ...result, at: performance.now() }));
  const [refusedAt, apply] = await Promise.all([probes, applied]);
  if (apply.code !== 0) throw new Error(`kubectl apply: ${apply.stderr}`);
  const enforcedAt = Math.max(...refusedAt);
  const sample = {
    enforcedMs: enforcedAt - started,
    kubectlMs: apply.at - started,
    afterCreateMs: enforcedAt - announcedAt.get(name)!,
  };
  await kubectlOk(cluster, ["delete", "withdrawalhalt", name, "-n", "payments", "--timeout=30s"]);
  await waitUntil(
    "the halt is lifted on every replica",
    async () => (await Promise.all(urls.map(refuses))).every((refused) => !refused),
    { intervalMs: 10 },
  );
  return sample;
}

function summary(values: readonly number[]) {
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
    ...(await testIssuer()).env,
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

  const watch = watchAnnouncements(cluster);
  // One unmeasured cycle warms connections, caches and JIT.
  await cycle(cluster, urls, 0);
  const samples: Sample[] = [];
  for (let index = 1; index <= cycles; index += 1) {
    samples.push(await cycle(cluster, urls, index));
    if (index % 10 === 0) console.log(`  ${index}/${cycles} cycles`);
  }
  watch.abort();
  const total = summary(samples.map((sample) => sample.enforcedMs));
  const kubectl = summary(samples.map((sample) => sample.kubectlMs));
  const platform = summary(samples.map((sample) => sample.afterCreateMs));
  const line = (label: string, s: ReturnType<typeof summary>) =>
    `  ${label}: p50 ${s.p50} ms, p90 ${s.p90} ms, p99 ${s.p99} ms (min ${s.min}, max ${s.max})`;
  console.log(`time to enforce over ${cycles} cycles, 3 replicas:`);
  console.log(line("kubectl apply -> 3/3 replicas refuse payouts", total));
  console.log(line("  kubectl apply process (start to exit)     ", kubectl));
  console.log(line("  object announced by the API server -> 3/3 ", platform));
  console.log(`  target p99 <= 250 ms: ${total.p99 <= 250 ? "met" : "NOT met"}`);
  const result = {
    benchmark: "time-to-enforce",
    cycles,
    replicas: 3,
    p50Ms: total.p50,
    p90Ms: total.p90,
    p99Ms: total.p99,
    maxMs: total.max,
    kubectlP50Ms: kubectl.p50,
    kubectlP99Ms: kubectl.p99,
    afterCreateP50Ms: platform.p50,
    afterCreateP99Ms: platform.p99,
    targetP99Ms: 250,
    metTarget: total.p99 <= 250,
  };
  await operator.process.stop();
  await Promise.all(replicas.map((replica) => replica.process.stop()));
  await Promise.all([psp.stop(), redis.stop(), postgres.stop(), cluster.stop()]);
  console.log(JSON.stringify(result));
}

await main();
