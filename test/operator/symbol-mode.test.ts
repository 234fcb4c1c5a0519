/**
 * @module SymbolMode end to end: a real API server, the operator with exactly its generated
 * RBAC, and three exchange replicas on real PostgreSQL and Redis. The on-call engineer works
 * through kubectl: a CANCEL_ONLY on BTC-USD is Enforced on all three replicas, each refuses
 * new BTC-USD orders naming the control and its ticket, cancels still go through, other
 * symbols trade on, and deleting the object lifts it. A Global SOFT_HALT covers every symbol.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import {
  call,
  deposit,
  type ExchangeFixture,
  type ExchangeReplica,
  eventually,
  placeOrder,
  sequencerOf as sequencerOfSymbol,
  startExchangeFixture,
  traderHeaders,
} from "../exchange/exchange-fixture";
import { type KubeCluster, startKube } from "../harness/kube";
import { adminToken } from "../payments/payments-fixture";
import { getJson, installControls, kubectlOk, setup } from "./cluster";
import { createTokenSecret, startOperatorInProcess, writeTargets } from "./operator-runner";

const namespace = "exchange";

let cluster: KubeCluster;
let exchange: ExchangeFixture;
let operator: RunningOperator;
let leader: ExchangeReplica;

const apply = (yaml: string) => kubectlOk(cluster, ["apply", "-f", "-"], { input: yaml });

function symbolModeYaml(name: string, spec: string, ticket: string): string {
  return `apiVersion: ops.breakwater.dev/v1alpha1
kind: SymbolMode
metadata: { name: ${name}, namespace: ${namespace} }
spec:
${spec}
  reason: "trades settle late on BTC-USD; stop new orders while we look"
  ticket: ${ticket}
  requestedBy: alice
`;
}

test.before(
  setup(async () => {
    [cluster, exchange] = await Promise.all([startKube(), startExchangeFixture()]);
    for (let index = 0; index < 3; index++) await exchange.startReplica();
    await installControls(cluster);
    await kubectlOk(cluster, ["create", "namespace", namespace]);
    await createTokenSecret(cluster, adminToken, "exchange");
    operator = await startOperatorInProcess(cluster, {
      OPERATOR_TARGETS_FILE: writeTargets({ exchangeUrl: exchange.replicas[0]!.url }),
    });
    leader = await sequencerOf("BTC-USD");
    await deposit(leader.url, "carol", "USD", "100000000");
    await deposit(leader.url, "carol", "BTC", "100000000");
  }),
);

test.after(async () => {
  await operator?.stop();
  await Promise.all([cluster?.stop(), exchange?.stop()]);
});

const sequencerOf = (symbol: string) => sequencerOfSymbol(exchange, symbol);

/** A resting order far from the market, on the symbol's sequencer. */
async function order(symbol: string) {
  const replica = await sequencerOf(symbol);
  return symbol === "BTC-USD"
    ? placeOrder(replica.url, "carol", {
        symbol,
        side: "sell",
        price: "9000000",
        quantity: "100000",
      })
    : placeOrder(replica.url, "carol", { symbol, side: "buy", price: "100", quantity: "10000000" });
}

async function enforced(name: string): Promise<void> {
  const waited = await cluster.kubectl([
    ...["wait", "--for=condition=Enforced", `symbolmode/${name}`],
    ...["-n", namespace, "--timeout=60s"],
  ]);
  assert.is(waited.code, 0, waited.stderr);
}

/** Every replica refuses a new order on `symbol` with `slug`, naming `control` and `ticket`. */
async function everyReplicaRefuses(symbol: string, slug: string, control: string, ticket: string) {
  for (const replica of exchange.replicas) {
    const refused = await placeOrder(replica.url, "carol", {
      symbol,
      side: "buy",
      price: symbol === "BTC-USD" ? "1000000" : "100",
      quantity: symbol === "BTC-USD" ? "100000" : "10000000",
    });
    assert.is(refused.status, 423, `${replica.url}: ${JSON.stringify(refused.body)}`);
    assert.match(refused.body.type, new RegExp(`exchange/${slug}$`));
    assert.equal([refused.body.control, refused.body.ticket], [control, ticket]);
  }
}

test("CANCEL_ONLY applied with kubectl is enforced by all three replicas; deleting it lifts it", async () => {
  const resting = await placeOrder(leader.url, "carol", {
    side: "buy",
    price: "1000000",
    quantity: "100000",
  });
  assert.is(resting.status, 201, JSON.stringify(resting.body));
  await apply(
    symbolModeYaml("btc-cancel-only", "  symbol: BTC-USD\n  mode: CANCEL_ONLY", "INC-5001"),
  );
  await enforced("btc-cancel-only");
  const object = await getJson(cluster, "symbolmode/btc-cancel-only", namespace);
  assert.is(object.status?.phase, "Applied");
  assert.equal(
    { ...object.status?.enforcement, services: undefined },
    { acknowledged: 3, live: 3, summary: "3/3", services: undefined },
  );
  const control = "symbolmode.exchange.btc-cancel-only";
  await everyReplicaRefuses("BTC-USD", "cancel-only", control, "INC-5001");
  const cancelled = await call(
    leader.url,
    "DELETE",
    `/v1/orders/${resting.body.orderId}`,
    undefined,
    await traderHeaders("carol"),
  );
  assert.is(cancelled.status, 200, JSON.stringify(cancelled.body));
  const eth = await order("ETH-USD");
  assert.is(eth.status, 201, `ETH-USD trades on: ${JSON.stringify(eth.body)}`);
  const table = await kubectlOk(cluster, ["get", "controls", "-n", namespace]);
  assert.match(table, /btc-cancel-only\s+BTC-USD\s+CANCEL_ONLY\s+Applied\s+3\/3\s+INC-5001/, table);

  await kubectlOk(cluster, [
    ...["delete", "symbolmode", "btc-cancel-only", "-n", namespace, "--timeout=60s"],
  ]);
  await eventually("every replica takes BTC-USD orders again", async () => {
    const answers = await Promise.all(
      exchange.replicas.map((replica) =>
        placeOrder(replica.url, "carol", { side: "sell", price: "9000000", quantity: "100000" }),
      ),
    );
    // Only the sequencer takes the order; the others send it there (503) but no longer refuse.
    return answers.every((answer) => answer.status !== 423) ? true : undefined;
  });
  assert.is((await order("BTC-USD")).status, 201);
});

test("a Global SOFT_HALT covers every symbol on every replica", async () => {
  await apply(symbolModeYaml("all-soft-halt", "  scope: Global\n  mode: SOFT_HALT", "INC-5002"));
  await enforced("all-soft-halt");
  const control = "symbolmode.exchange.all-soft-halt";
  await everyReplicaRefuses("BTC-USD", "soft-halt", control, "INC-5002");
  await everyReplicaRefuses("ETH-USD", "soft-halt", control, "INC-5002");
  await kubectlOk(cluster, [
    ...["delete", "symbolmode", "all-soft-halt", "-n", namespace, "--timeout=60s"],
  ]);
  await eventually("ETH-USD orders accepted again", async () =>
    (await order("ETH-USD")).status === 201 ? true : undefined,
  );
});

test.run();
