/**
 * @module CancelAll end to end: a real API server, the operator with exactly its generated
 * RBAC, and three exchange replicas on real PostgreSQL and Redis. A CancelAll applied with
 * kubectl cancels every open order on its symbol (other symbols keep theirs), gives every
 * hold back, records the count in its status, and never runs again; under HARD_HALT it is
 * refused and the book stays frozen.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import {
  balanceOf,
  call,
  deposit,
  type ExchangeFixture,
  type ExchangeReplica,
  eventually,
  placeOrder,
  putControl,
  sequencerOf as sequencerOfSymbol,
  startExchangeFixture,
  traderHeaders,
} from "../exchange/exchange-fixture";
import { type KubeCluster, startKube } from "../harness/kube";
import { adminToken } from "../payments/payments-fixture";
import { type ControlObject, getJson, installControls, kubectlOk, setup } from "./cluster";
import { createTokenSecret, startOperatorInProcess, writeTargets } from "./operator-runner";

const namespace = "exchange";

let cluster: KubeCluster;
let exchange: ExchangeFixture;
let operator: RunningOperator;
let btc: ExchangeReplica;
let eth: ExchangeReplica;

const apply = (yaml: string) => kubectlOk(cluster, ["apply", "-f", "-"], { input: yaml });

function cancelAllYaml(name: string, symbol: string): string {
  return `apiVersion: ops.breakwater.dev/v1alpha1
kind: CancelAll
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  symbol: ${symbol}
  reason: "the engine matched at stale prices; pull every resting order"
  ticket: INC-6001
  requestedBy: alice
`;
}

const sequencerOf = (symbol: string) => sequencerOfSymbol(exchange, symbol);

test.before(
  setup(async () => {
    [cluster, exchange] = await Promise.all([startKube(), startExchangeFixture()]);
    // One replica sequences both symbols, so the operator's target is always the sequencer
    // (another replica would forward the CancelAll there).
    await exchange.startReplica();
    [btc, eth] = [await sequencerOf("BTC-USD"), await sequencerOf("ETH-USD")];
    for (let index = 0; index < 2; index++) await exchange.startReplica();
    await installControls(cluster);
    await kubectlOk(cluster, ["create", "namespace", namespace]);
    await createTokenSecret(cluster, adminToken, "exchange");
    operator = await startOperatorInProcess(cluster, {
      OPERATOR_TARGETS_FILE: writeTargets({ exchangeUrl: btc.url }),
    });
    for (const trader of ["dan", "erin"]) {
      await deposit(btc.url, trader, "USD", "100000000");
      await deposit(btc.url, trader, "BTC", "100000000");
    }
  }),
);

test.after(async () => {
  await operator?.stop();
  await Promise.all([cluster?.stop(), exchange?.stop()]);
});

async function completed(name: string): Promise<ControlObject> {
  return eventually(`CancelAll ${name} to finish`, async () => {
    const object = await getJson(cluster, `cancelall/${name}`, namespace);
    return object.status?.completedAt ? object : undefined;
  });
}

async function bookOf(replica: ExchangeReplica, symbol: string) {
  return (await call(replica.url, "GET", `/v1/book/${symbol}`)).body;
}

test("CancelAll cancels every open order on its symbol, releases the holds and records the count", async () => {
  const orders = [
    await placeOrder(btc.url, "dan", { side: "buy", price: "1000000", quantity: "100000" }),
    await placeOrder(btc.url, "dan", { side: "buy", price: "2000000", quantity: "200000" }),
    await placeOrder(btc.url, "erin", { side: "sell", price: "9000000", quantity: "300000" }),
  ];
  for (const placed of orders) assert.is(placed.status, 201, JSON.stringify(placed.body));
  const other = await placeOrder(eth.url, "dan", {
    symbol: "ETH-USD",
    side: "buy",
    price: "100",
    quantity: "10000000",
  });
  assert.is(other.status, 201, JSON.stringify(other.body));
  const ethHeldBefore = (await balanceOf(btc.url, "dan", "USD")).held;
  assert.not.equal(ethHeldBefore, "0");

  await apply(cancelAllYaml("pull-btc", "BTC-USD"));
  const object = await completed("pull-btc");
  assert.is(object.status?.phase, "Completed", object.status?.message);
  assert.is(object.status?.ordersCancelled, 3);
  assert.match(object.status?.message ?? "", "cancelled 3 open orders on BTC-USD");
  const book = await bookOf(btc, "BTC-USD");
  assert.equal([book.bids, book.asks], [[], []]);
  for (const [index, placed] of orders.entries()) {
    const owner = index < 2 ? "dan" : "erin";
    const order = await call(
      btc.url,
      "GET",
      `/v1/orders/${placed.body.orderId}`,
      undefined,
      await traderHeaders(owner),
    );
    assert.equal([order.status, order.body.status], [200, "cancelled"]);
  }
  // Every BTC-USD hold is back; dan's ETH-USD bid still holds its USD.
  assert.equal(await balanceOf(btc.url, "erin", "BTC"), { available: "100000000", held: "0" });
  const danUsd = await balanceOf(btc.url, "dan", "USD");
  const ethHeld = BigInt(other.body.held);
  assert.is(danUsd.held, ethHeld.toString());
  assert.is(BigInt(danUsd.available) + ethHeld, 100000000n);
  assert.is((await bookOf(eth, "ETH-USD")).bids.length, 1, "ETH-USD keeps its order");

  const table = await kubectlOk(cluster, ["get", "cancelalls", "-n", namespace]);
  assert.match(table, /pull-btc\s+BTC-USD\s+3\s+Completed/);
});

test("a CancelAll runs once: asking again with its uid answers the first run, and later orders stay", async () => {
  const later = await placeOrder(btc.url, "dan", {
    side: "buy",
    price: "1000000",
    quantity: "100000",
  });
  assert.is(later.status, 201, JSON.stringify(later.body));
  // What the operator sends when it resumes a run it was interrupted in.
  const object = await getJson<ControlObject & { metadata: { uid: string } }>(
    cluster,
    "cancelall/pull-btc",
    namespace,
  );
  const again = await call(
    btc.url,
    "POST",
    "/admin/v1/symbols/BTC-USD/cancel-all",
    { reference: object.metadata.uid, actor: "alice", reason: "resumed run", ticket: "INC-6001" },
    { authorization: `Bearer ${adminToken}` },
  );
  assert.is(again.status, 200, JSON.stringify(again.body));
  assert.equal([again.body.ordersCancelled, again.body.repeated], [3, true]);
  assert.is(again.body.seq, object.status?.engineSeq);
  assert.is((await bookOf(btc, "BTC-USD")).bids.length, 1, "the later order rests");
});

test("under HARD_HALT a CancelAll is refused and the book stays frozen", async () => {
  const before = await bookOf(btc, "BTC-USD");
  const halted = await putControl(
    btc.url,
    "symbolmode.exchange.freeze",
    "SymbolMode",
    { symbol: "BTC-USD", mode: "HARD_HALT" },
    "INC-6002",
  );
  assert.is(halted.status, 200, JSON.stringify(halted.body));
  await eventually("the sequencer holds the HARD_HALT", async () => {
    const refused = await placeOrder(btc.url, "dan", {
      side: "buy",
      price: "1000000",
      quantity: "100000",
    });
    return refused.status === 423 ? true : undefined;
  });
  await apply(cancelAllYaml("pull-frozen", "BTC-USD"));
  const object = await completed("pull-frozen");
  assert.is(object.status?.phase, "Failed");
  assert.match(object.status?.message ?? "", /not cancelled: .*423/);
  assert.equal(await bookOf(btc, "BTC-USD"), before);
});

test.run();
