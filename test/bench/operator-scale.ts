/**
 * @module `npm run bench -- operator-scale [--controls N] [--cycles N]`: the operator with
 * 5,000 controls in a real kube-apiserver (and etcd). It measures
 * - initial sync: from starting `npm run operator` (operators/main.ts, its generated RBAC) to
 *   its `/readyz` answering 200 as leader, i.e. every control listed into its caches (target
 *   <= 10 s), and, beside it, until the first reconcile of every control is done;
 * - its RSS (peak, VmHWM, target <= 256 MB);
 * - the time to enforce one more control (target p99 <= 250 ms over >= 30): from the create
 *   of a WithdrawalHalt through the API to all three payments replicas refusing payouts
 *   (`npm run service -- payments` child processes, real PostgreSQL and Redis), while the
 *   5,000 stay in the caches and the periodic resync (30 s) requeues all of them.
 *
 * The 5,000 are SymbolModes and ProviderDisables across five namespaces: kinds the operator
 * watches and reconciles like any other (each gets its status), and which this bench runs no
 * service to enforce, so payments' admin API is not what is measured. Prints the figures and one JSON line last.
 */
import { readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { createKubeApi, type KubeApi } from "../../operators/runtime/kube-api";
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { installControls, kubectlOk } from "../operator/cluster";
import {
  createTokenSecret,
  type OperatorProcess,
  startOperatorProcess,
  writeTargets,
} from "../operator/operator-runner";
import {
  benchAdminToken,
  firstRefusal,
  numberOption,
  refuses,
  startPaymentsStack,
  summary,
} from "./payments-bench-stack";

const namespaces = ["scale-0", "scale-1", "scale-2", "scale-3", "scale-4"];
const group = "/apis/ops.breakwater.dev/v1alpha1/namespaces";
const common = {
  reason: "scale benchmark control, one of many in the cluster",
  ticket: "BENCH-1",
  requestedBy: "alice",
};

/** The `index`th of the bulk controls: a SymbolMode or a ProviderDisable. */
function bulkControl(index: number) {
  const namespace = namespaces[index % namespaces.length]!;
  const metadata = { name: `bulk-${index}`, namespace };
  const apiVersion = "ops.breakwater.dev/v1alpha1";
  if (index % 2 === 0) {
    const spec = { symbol: `S${index}-USD`, mode: "CANCEL_ONLY", ...common };
    const body = { apiVersion, kind: "SymbolMode", metadata, spec };
    return { path: `${group}/${namespace}/symbolmodes`, body };
  }
  const spec = { provider: `provider-${index}`, ...common };
  const body = { apiVersion, kind: "ProviderDisable", metadata, spec };
  return { path: `${group}/${namespace}/providerdisables`, body };
}

async function createBulk(api: KubeApi, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) {
      const { path, body } = bulkControl(index);
      await api.create(path, body);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** VmRSS and VmHWM (peak) of `pid`, in MB. */
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)![1]) / 1024;
  return { rss: Number(field("VmRSS").toFixed(1)), peak: Number(field("VmHWM").toFixed(1)) };
}

/** The sum of a metric's samples whose line starts with `prefix`. */
function total(text: string, prefix: string): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith(prefix))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

async function untilReadyLeader(operator: OperatorProcess): Promise<void> {
  await waitUntil(
    "the operator leads with synced caches",
    async () => {
      const ready = await fetch(`http://127.0.0.1:${operator.port}/readyz`);
      return (
        ready.status === 200 && (await operator.metrics()).includes("breakwater_operator_leader 1")
      );
    },
    { intervalMs: 20, timeoutMs: 120_000 },
  );
}

async function untilBacklogDone(operator: OperatorProcess, count: number): Promise<void> {
  await waitUntil(
    "the first reconcile of every control",
    async () => {
      const text = await operator.metrics();
      return (
        total(text, "breakwater_operator_reconciles_total{") >= count &&
        total(text, "breakwater_operator_queue_depth{") === 0
      );
    },
    { intervalMs: 100, timeoutMs: 600_000 },
  );
}

/** One more control: create a WithdrawalHalt, wait for 3/3 refusals, delete, wait for the lift. */
async function cycle(
  cluster: KubeCluster,
  api: KubeApi,
  urls: readonly string[],
  index: number,
): Promise<number> {
  const name = `scale-halt-${index}`;
  const started = performance.now();
  await api.create(`${group}/payments/withdrawalhalts`, {
    apiVersion: "ops.breakwater.dev/v1alpha1",
    kind: "WithdrawalHalt",
    metadata: { name, namespace: "payments" },
    spec: { scope: { services: ["payments"], currencies: ["BTC"] }, ...common },
  });
  const refusedAt = await Promise.all(urls.map((url) => firstRefusal(url, Date.now() + 60_000)));
  const enforcedMs = Math.max(...refusedAt) - started;
  await kubectlOk(cluster, ["delete", "withdrawalhalt", name, "-n", "payments", "--wait=false"]);
  await waitUntil(
    "the halt is lifted on every replica",
    async () => (await Promise.all(urls.map(refuses))).every((refused) => !refused),
    { intervalMs: 10, timeoutMs: 60_000 },
  );
  return enforcedMs;
}

async function main(): Promise<void> {
  const count = numberOption("controls", 5000);
  const cycles = numberOption("cycles", 40);
  console.log(
    `operator-scale: kube-apiserver, PostgreSQL, Redis, 3 payments replicas; ${count} controls`,
  );
  const [cluster, payments] = await Promise.all([startKube(), startPaymentsStack(3)]);
  await installControls(cluster);
  await createTokenSecret(cluster, benchAdminToken);
  for (const namespace of namespaces) await kubectlOk(cluster, ["create", "namespace", namespace]);
  const api = adminApi(cluster);
  const createStarted = performance.now();
  await createBulk(api, count);
  console.log(
    `  created ${count} controls in ${((performance.now() - createStarted) / 1000).toFixed(1)} s`,
  );

  const spawned = performance.now();
  const operator = await startOperatorProcess(cluster, "scale", {
    OPERATOR_TARGETS_FILE: writeTargets({ paymentsUrl: payments.urls[0]! }),
    OPERATOR_RESYNC_SECONDS: "30",
  });
  await untilReadyLeader(operator);
  const initialSyncMs = performance.now() - spawned;
  await untilBacklogDone(operator, count);
  const firstReconcilesMs = performance.now() - spawned;
  const afterSync = memoryMb(operator.process.child.pid!);

  await cycle(cluster, api, payments.urls, 0); // warms connections, caches and JIT; not measured
  const samples: number[] = [];
  for (let index = 1; index <= cycles; index += 1) {
    samples.push(await cycle(cluster, api, payments.urls, index));
    if (index % 10 === 0) console.log(`  ${index}/${cycles} cycles`);
  }
  const memory = memoryMb(operator.process.child.pid!);
  // What V8 holds live, beside what the process holds (the rest is code and uncollected garbage).
  const heapUsedMb = Number(
    (total(await operator.metrics(), "nodejs_heap_size_used_bytes") / 1048576).toFixed(1),
  );
  const enforce = summary(samples);
  const targets = { initialSyncMs: 10_000, rssMb: 256, enforceP99Ms: 250 };
  const met = {
    initialSync: initialSyncMs <= targets.initialSyncMs,
    rss: memory.peak <= targets.rssMb,
    enforce: enforce.p99 <= targets.enforceP99Ms,
  };
  const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
  console.log(`operator with ${count} controls:`);
  console.log(
    `  initial sync (start -> ready as leader, caches synced): ${(initialSyncMs / 1000).toFixed(2)} s (target <= 10 s: ${verdict(met.initialSync)})`,
  );
  console.log(
    `  first reconcile of every control done after:            ${(firstReconcilesMs / 1000).toFixed(2)} s`,
  );
  console.log(
    `  RSS after sync ${afterSync.rss} MB; at the end ${memory.rss} MB (V8 heap in use ${heapUsedMb} MB), peak ${memory.peak} MB (target <= 256 MB: ${verdict(met.rss)})`,
  );
  console.log(
    `  time to enforce one more control over ${cycles}: p50 ${enforce.p50} ms, p90 ${enforce.p90} ms, p99 ${enforce.p99} ms (min ${enforce.min}, max ${enforce.max}; target p99 <= 250 ms: ${verdict(met.enforce)})`,
  );
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(`  machine load average (1, 5, 15 min): ${load}`);
  await operator.process.stop();
  await Promise.all([payments.stop(), cluster.stop()]);
  console.log(
    JSON.stringify({
      benchmark: "operator-scale",
      controls: count,
      cycles,
      initialSyncMs: Math.round(initialSyncMs),
      firstReconcilesMs: Math.round(firstReconcilesMs),
      rssMb: memory.rss,
      peakRssMb: memory.peak,
      heapUsedMb,
      enforceP50Ms: enforce.p50,
      enforceP99Ms: enforce.p99,
      enforceMaxMs: enforce.max,
      loadAverage: load,
      targets,
      metTargets: met.initialSync && met.rss && met.enforce,
    }),
  );
}

function adminApi(cluster: KubeCluster): KubeApi {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(cluster.kubeconfigPath);
  return createKubeApi(kubeconfig);
}

await main();
