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
import { type KubeCluster, startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { installControls, kubectlOk, withdrawalHaltYaml } from "../operator/cluster";
import { createTokenSecret, startOperatorProcess, writeTargets } from "../operator/operator-runner";
import { type Announcements, watchAnnouncements } from "./announcements";
import {
  benchAdminToken,
  firstRefusal,
  numberOption,
  refuses,
  type Summary,
  startPaymentsStack,
  summary,
} from "./payments-bench-stack";

interface Sample {
  readonly enforcedMs: number;
  readonly kubectlMs: number;
  readonly afterCreateMs: number;
}

async function cycle(
  cluster: KubeCluster,
  watch: Announcements,
  urls: readonly string[],
  index: number,
): Promise<Sample> {
  const name = `bench-halt-${index}`;
  const started = performance.now();
  // Nothing can refuse before the object exists, so probing starts when the API server
  // announces it: probes running during kubectl's start-up would only slow kubectl down.
  const probes = watch
    .announced(name)
    .then(() => Promise.all(urls.map((url) => firstRefusal(url, Date.now() + 30_000))));
  const applied = cluster
    .kubectl(["apply", "-f", "-"], { input: withdrawalHaltYaml(name, { currencies: ["BTC"] }) })
    .then((result) => ({ ...result, at: performance.now() }));
  const [refusedAt, apply] = await Promise.all([probes, applied]);
  if (apply.code !== 0) throw new Error(`kubectl apply: ${apply.stderr}`);
  const enforcedAt = Math.max(...refusedAt);
  const sample = {
    enforcedMs: enforcedAt - started,
    kubectlMs: apply.at - started,
    afterCreateMs: enforcedAt - watch.at(name)!,
  };
  await kubectlOk(cluster, ["delete", "withdrawalhalt", name, "-n", "payments", "--timeout=30s"]);
  await waitUntil(
    "the halt is lifted on every replica",
    async () => (await Promise.all(urls.map(refuses))).every((refused) => !refused),
    { intervalMs: 10 },
  );
  return sample;
}

async function main(): Promise<void> {
  const cycles = numberOption("cycles", 50);
  console.log(
    `time-to-enforce: starting kube-apiserver, PostgreSQL, Redis, 3 payments replicas, the operator`,
  );
  const [cluster, payments] = await Promise.all([startKube(), startPaymentsStack(3)]);
  const urls = payments.urls;
  await installControls(cluster);
  await createTokenSecret(cluster, benchAdminToken);
  const operator = await startOperatorProcess(cluster, "bench", {
    OPERATOR_TARGETS_FILE: writeTargets({ paymentsUrl: urls[0]! }),
  });
  await waitUntil("the operator leads", async () =>
    (await operator.metrics()).includes("breakwater_operator_leader 1"),
  );

  const watch = watchAnnouncements(
    cluster,
    "/apis/ops.breakwater.dev/v1alpha1/namespaces/payments/withdrawalhalts",
  );
  // One unmeasured cycle warms connections, caches and JIT.
  await cycle(cluster, watch, urls, 0);
  const samples: Sample[] = [];
  for (let index = 1; index <= cycles; index += 1) {
    samples.push(await cycle(cluster, watch, urls, index));
    if (index % 10 === 0) console.log(`  ${index}/${cycles} cycles`);
  }
  watch.stop();
  const total = summary(samples.map((sample) => sample.enforcedMs));
  const kubectl = summary(samples.map((sample) => sample.kubectlMs));
  const platform = summary(samples.map((sample) => sample.afterCreateMs));
  const line = (label: string, s: Summary) =>
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
  await Promise.all([payments.stop(), cluster.stop()]);
  console.log(JSON.stringify(result));
}

await main();
