/**
 * @module SymbolMode end to end: a real API server, the operator with exactly its generated
 * RBAC, and three exchange replicas on real PostgreSQL and Redis. The on-call engineer works
 * through kubectl: a CANCEL_ONLY on BTC-USD is Enforced on all three replicas, each refuses
 * new BTC-USD orders naming the control and its ticket, cancels still go through, other
 * symbols trade on, and deleting the object lifts it. A Global SOFT_HALT covers every symbol.
 * An OrderThrottle holds its rate across the replicas (429 with Retry-After), the slowest of
 * two throttles is in force and says so, and the autopilot's throttle is one they enforce.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import { loadRules } from "../../policies/automation/load-rules";
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

async function enforced(name: string, kind = "symbolmode"): Promise<void> {
  const waited = await cluster.kubectl([
    ...["wait", "--for=condition=Enforced", `${kind}/${name}`],
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
    // No replica refuses any more: the sequencer takes the order, the others forward it there.
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

function orderThrottleYaml(name: string, spec: string, ticket: string): string {
  return symbolModeYaml(name, spec, ticket).replace("kind: SymbolMode", "kind: OrderThrottle");
}

/** Every replica refuses a new order on `symbol` with 429, naming `control` and `ticket`. */
async function everyReplicaThrottles(symbol: string, control: string, ticket: string) {
  for (const replica of exchange.replicas) {
    const refused = await placeOrder(replica.url, "carol", {
      symbol,
      side: symbol === "BTC-USD" ? "sell" : "buy",
      price: symbol === "BTC-USD" ? "9000000" : "100",
      quantity: symbol === "BTC-USD" ? "100000" : "10000000",
    });
    assert.is(refused.status, 429, `${replica.url}: ${JSON.stringify(refused.body)}`);
    assert.match(refused.body.type, /exchange\/orders-throttled$/);
    assert.equal([refused.body.control, refused.body.ticket], [control, ticket]);
    assert.ok(Number(refused.headers.get("retry-after")) >= 1, "Retry-After in seconds");
  }
}

const deleteControl = (kind: string, name: string) =>
  kubectlOk(cluster, ["delete", kind, name, "-n", namespace, "--timeout=60s"]);

test("an OrderThrottle holds its rate across all three replicas; cancels pass; deleting it lifts it", async () => {
  await apply(
    orderThrottleYaml("btc-throttle", "  symbol: BTC-USD\n  rate: 2\n  per: Minute", "INC-5101"),
  );
  await enforced("btc-throttle", "orderthrottle");
  const resting = await order("BTC-USD");
  assert.is(resting.status, 201, JSON.stringify(resting.body));
  assert.is((await order("BTC-USD")).status, 201, "the second order of the minute passes");
  await everyReplicaThrottles("BTC-USD", "orderthrottle.exchange.btc-throttle", "INC-5101");
  const cancelled = await call(
    (await sequencerOf("BTC-USD")).url,
    "DELETE",
    `/v1/orders/${resting.body.orderId}`,
    undefined,
    await traderHeaders("carol"),
  );
  assert.is(
    cancelled.status,
    200,
    `cancels are never throttled: ${JSON.stringify(cancelled.body)}`,
  );
  assert.is((await order("ETH-USD")).status, 201, "ETH-USD is not throttled");

  // A slower Global throttle is the more restrictive on BTC-USD: it is in force, with a budget
  // of its own per symbol, and the symbol's own throttle says it is superseded.
  await apply(
    orderThrottleYaml("all-throttle", "  scope: Global\n  rate: 1\n  per: Minute", "INC-5102"),
  );
  await enforced("all-throttle", "orderthrottle");
  const superseded = await eventually("btc-throttle to name the throttle in force", async () => {
    const object = await getJson<{ status?: { inForce?: boolean; supersededBy?: string[] } }>(
      cluster,
      "orderthrottle/btc-throttle",
      namespace,
    );
    return object.status?.supersededBy?.length ? object.status : undefined;
  });
  assert.equal(superseded, {
    ...superseded,
    inForce: false,
    supersededBy: ["exchange/all-throttle"],
  });
  assert.is((await order("BTC-USD")).status, 201, "the Global throttle's own budget");
  await everyReplicaThrottles("BTC-USD", "orderthrottle.exchange.all-throttle", "INC-5102");
  assert.is((await order("ETH-USD")).status, 201);
  await everyReplicaThrottles("ETH-USD", "orderthrottle.exchange.all-throttle", "INC-5102");

  await deleteControl("orderthrottle", "all-throttle");
  await deleteControl("orderthrottle", "btc-throttle");
  await eventually("BTC-USD orders flow again", async () =>
    (await order("BTC-USD")).status === 201 ? true : undefined,
  );
  assert.is((await order("BTC-USD")).status, 201);
  assert.is((await order("ETH-USD")).status, 201);
});

test("the autopilot's settlement-lag throttle is an OrderThrottle every replica enforces", async () => {
  const rule = loadRules().find((candidate) => candidate.name === "exchange-lag-throttle");
  assert.ok(rule, "the rule exists in policies/automation");
  const spec = JSON.parse(JSON.stringify(rule.control.spec).replaceAll("{{symbol}}", "ETH-USD"));
  const object = {
    apiVersion: "ops.breakwater.dev/v1alpha1",
    kind: rule.control.kind,
    metadata: { name: "lag-throttle", namespace },
    spec: { ...spec, reason: "settlement lag past T2", ticket: "INC-5103", requestedBy: "alice" },
  };
  assert.is(object.kind, "OrderThrottle");
  await apply(JSON.stringify(object));
  await enforced("lag-throttle", "orderthrottle");
  for (const replica of exchange.replicas) {
    const held = await call(replica.url, "GET", "/admin/v1/controls", undefined, {
      authorization: `Bearer ${adminToken}`,
    });
    const control = held.body.controls.find(
      (candidate: { id: string }) => candidate.id === "orderthrottle.exchange.lag-throttle",
    );
    assert.equal(control?.spec, spec, `${replica.url} holds the rule's spec`);
  }
  await deleteControl("orderthrottle", "lag-throttle");
});

test.run();
