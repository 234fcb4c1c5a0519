/**
 * @module The "kubectl apply of a SymbolMode → every replica refuses new orders" part of the
 * exchange benchmark (target p99 ≤ 250 ms): a real kube-apiserver and etcd, the operator as
 * `npm run operator` runs it with its generated RBAC, three exchange replicas on real
 * PostgreSQL and Redis. Each cycle applies a CANCEL_ONLY on BTC-USD with kubectl, measures
 * until all three replicas refuse (423), deletes it and waits for the lift.
 *
 * A probe is a buy from a trader with no money: a replica not in CANCEL_ONLY answers the
 * sequencer's 422 (its own, or forwarded by the others) without moving money; one in
 * CANCEL_ONLY answers 423 itself, before forwarding anything. Probing starts when the API server announces the object (a watch of its
 * own), every 5 ms, so a figure is the true time plus at most one probe. The replicas run in
 * this process, as the exchange's tests run them.
 */
import { randomUUID } from "node:crypto";
import { startExchangeFixture, traderHeaders } from "../exchange/exchange-fixture";
import { startKube } from "../harness/kube";
import { waitUntil } from "../harness/process";
import { installControls, kubectlOk } from "../operator/cluster";
import { createTokenSecret, startOperatorProcess, writeTargets } from "../operator/operator-runner";
import { adminToken } from "../payments/payments-fixture";
import { watchAnnouncements } from "./announcements";
import { firstRefusal, type Summary, summary } from "./payments-bench-stack";

const namespace = "exchange";

function cancelOnlyYaml(name: string): string {
  return `apiVersion: ops.breakwater.dev/v1alpha1
kind: SymbolMode
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  symbol: BTC-USD
  mode: CANCEL_ONLY
  reason: "benchmark: time from kubectl apply to every replica refusing"
  ticket: INC-9000
  requestedBy: bench
`;
}

export interface SymbolModeEnforcement {
  readonly cycles: number;
  /** kubectl apply → 3/3 replicas refuse. */
  readonly total: Summary;
  /** The object announced by the API server → 3/3 replicas refuse. */
  readonly afterCreate: Summary;
}

export async function benchSymbolModeEnforcement(cycles: number): Promise<SymbolModeEnforcement> {
  const [cluster, exchange] = await Promise.all([startKube(), startExchangeFixture()]);
  try {
    for (let index = 0; index < 3; index++) await exchange.startReplica();
    const urls = exchange.replicas.map((replica) => replica.url);
    await installControls(cluster);
    await kubectlOk(cluster, ["create", "namespace", namespace]);
    await createTokenSecret(cluster, adminToken, "exchange");
    const operator = await startOperatorProcess(cluster, "exchange-bench", {
      OPERATOR_TARGETS_FILE: writeTargets({ exchangeUrl: urls[0]! }),
    });
    try {
      await waitUntil("the operator leads", async () =>
        (await operator.metrics()).includes("breakwater_operator_leader 1"),
      );
      const headers = await traderHeaders("bench-probe-nobody");
      const refuses = async (url: string) => {
        const response = await fetch(`${url}/v1/orders`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({
            clientOrderId: randomUUID(),
            symbol: "BTC-USD",
            side: "buy",
            type: "limit",
            price: "1000000",
            quantity: "100000",
          }),
        });
        await response.arrayBuffer();
        return response.status === 423;
      };
      const watch = watchAnnouncements(
        cluster,
        `/apis/ops.breakwater.dev/v1alpha1/namespaces/${namespace}/symbolmodes`,
      );
      const cycle = async (index: number) => {
        const name = `bench-cancel-only-${index}`;
        const started = performance.now();
        const probes = watch
          .announced(name)
          .then(() =>
            Promise.all(urls.map((url) => firstRefusal(url, Date.now() + 30_000, refuses))),
          );
        const apply = await cluster.kubectl(["apply", "-f", "-"], { input: cancelOnlyYaml(name) });
        if (apply.code !== 0) throw new Error(`kubectl apply: ${apply.stderr}`);
        const enforcedAt = Math.max(...(await probes));
        const sample = {
          totalMs: enforcedAt - started,
          afterCreateMs: enforcedAt - watch.at(name)!,
        };
        await kubectlOk(cluster, ["delete", "symbolmode", name, "-n", namespace, "--timeout=30s"]);
        await waitUntil(
          "CANCEL_ONLY is lifted on every replica",
          async () => (await Promise.all(urls.map(refuses))).every((refused) => !refused),
          { intervalMs: 10 },
        );
        return sample;
      };
      // One unmeasured cycle warms connections, caches and JIT.
      await cycle(0);
      const samples: { totalMs: number; afterCreateMs: number }[] = [];
      for (let index = 1; index <= cycles; index += 1) samples.push(await cycle(index));
      watch.stop();
      return {
        cycles,
        total: summary(samples.map((sample) => sample.totalMs)),
        afterCreate: summary(samples.map((sample) => sample.afterCreateMs)),
      };
    } finally {
      await operator.process.stop();
    }
  } finally {
    await Promise.all([exchange.stop(), cluster.stop()]);
  }
}
