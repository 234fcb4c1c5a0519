/**
 * @module Seed 002's 3.4 lever end to end: a real API server, the operator with its generated
 * RBAC, two edge replicas fed by a real Kafka broker. On-call applies an EdgeDegradation with
 * kubectl: both replicas acknowledge it, book subscriptions drop to the lower depth, the
 * subscription limit tightens and conflation widens, trades still flow whole; deleting it
 * restores the configured settings on every replica.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import { type KubeCluster, startKube } from "../harness/kube";
import { getJson, installControls, kubectlOk, setup } from "../operator/cluster";
import {
  createTokenSecret,
  startOperatorInProcess,
  writeTargets,
} from "../operator/operator-runner";
import { eventually, type Json } from "../payments/payments-fixture";
import {
  adminToken,
  bookEvent,
  bookTopic,
  type EdgeFixture,
  type EdgeReplica,
  RecordingClient,
  startEdgeFixture,
  tradeEvent,
  tradeSeqs,
  tradesTopic,
} from "./edge-fixture";

let cluster: KubeCluster;
let fixture: EdgeFixture;
let replicas: EdgeReplica[];
let operator: RunningOperator;
const clients: RecordingClient[] = [];
const symbol = "BTC-USD";
const controlId = "edgedegradation.exchange.ws-overload";

const degradationYaml = `apiVersion: ops.breakwater.dev/v1alpha1
kind: EdgeDegradation
metadata:
  name: ws-overload
  namespace: exchange
spec:
  conflationMs: 1000
  bookDepth: 20
  subscriptionsPerSecond: 2
  reason: "slow consumer closes rising on every edge replica"
  ticket: INC-3400
  requestedBy: alice
`;

test.before(
  setup(async () => {
    [cluster, fixture] = await Promise.all([startKube(), startEdgeFixture()]);
    const env = {
      EDGE_BOOK_DEPTH: "50",
      EDGE_CONFLATION_MS: "50",
      EDGE_SUBSCRIPTIONS_PER_SECOND: "20",
    };
    replicas = [await fixture.startReplica(env), await fixture.startReplica(env)];
    await installControls(cluster);
    await kubectlOk(cluster, ["create", "namespace", "exchange"]);
    await createTokenSecret(cluster, adminToken, "exchange-edge");
    operator = await startOperatorInProcess(cluster, {
      OPERATOR_TARGETS_FILE: writeTargets({ edgeUrl: replicas[0]!.url }),
    });
    const levels = [];
    for (let index = 0; index < 30; index += 1) {
      levels.push(bookEvent(symbol, 2 * index + 1, "buy", BigInt(1000 - index), 10n));
      levels.push(bookEvent(symbol, 2 * index + 2, "sell", BigInt(1001 + index), 10n));
    }
    await fixture.publish(bookTopic, levels);
  }),
);

test.after(async () => {
  for (const client of clients) client.close();
  await operator?.stop();
  await Promise.all([cluster?.stop(), fixture?.stop()]);
});

async function status(replica: EdgeReplica): Promise<Json> {
  return (await fetch(`${replica.url}/v1/market-data/status`)).json();
}

function books(client: RecordingClient) {
  return client.of("book", symbol);
}

/** One client per replica subscribed to the book at the default depth, with all 30 levels. */
async function bookClients(): Promise<RecordingClient[]> {
  const subscribed: RecordingClient[] = [];
  for (const replica of replicas) {
    const client = await RecordingClient.connect(replica.url);
    clients.push(client);
    await eventually("a full book snapshot", async () => {
      client.send({ op: "subscribe", channel: "book", symbol });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const last = books(client).findLast((m) => m.type === "snapshot");
      return last?.bids.length === 30;
    });
    subscribed.push(client);
  }
  return subscribed;
}

let subscribed: RecordingClient[];

test("applied with kubectl, the degradation is Enforced on both replicas and cuts the book's depth", async () => {
  subscribed = await bookClients();
  for (const client of subscribed) assert.is(books(client).at(-1).depth, 50);
  await kubectlOk(cluster, ["apply", "-f", "-"], { input: degradationYaml });
  await kubectlOk(cluster, [
    ...["wait", "--for=condition=Ready", "edgedegradation/ws-overload"],
    ...["-n", "exchange", "--timeout=60s"],
  ]);
  const object = await getJson(cluster, "edgedegradation/ws-overload", "exchange");
  assert.is(object.status?.phase, "Applied");
  assert.is(object.status?.enforcement?.summary, "2/2");
  const table = await kubectlOk(cluster, ["get", "edgedegradations", "-n", "exchange"]);
  assert.match(
    table,
    /ws-overload\s+depth 20, conflation 1000 ms, 2 subs\/s\s+20\s+1000\s+Applied\s+2\/2\s+INC-3400/,
  );

  for (const replica of replicas) {
    const answer = await status(replica);
    assert.equal(answer.settings, {
      conflationMs: 1000,
      bookDepthDefault: 20,
      bookDepthMax: 20,
      subscriptionsPerSecond: 2,
      degradedBy: [controlId],
    });
  }
  for (const client of subscribed) {
    await client.until("a snapshot at depth 20", () => books(client).at(-1)?.depth === 20);
    const snapshot = books(client).at(-1);
    assert.is(snapshot.type, "snapshot");
    assert.is(snapshot.bids.length, 20);
    assert.is(snapshot.asks.length, 20);
    assert.equal(snapshot.bids[0], ["1000", "10"]);
    // The sequence goes on: a client sees no gap, only a new snapshot.
    const seqs = books(client).map((m) => m.seq);
    assert.equal(
      seqs,
      seqs.map((_, index) => seqs[0] + index),
    );
  }
});

test("under the degradation subscriptions are limited tighter and trades still arrive whole", async () => {
  const client = await RecordingClient.connect(replicas[1]!.url);
  clients.push(client);
  for (let index = 0; index < 6; index += 1) {
    client.send({ op: "subscribe", channel: "trades", symbol: "ETH-USD", id: index });
  }
  await client.until(
    "six answers",
    () => client.messages.filter((m) => typeof m.id === "number").length >= 6,
  );
  const limited = client.messages.filter((m) => m.code === "RATE_LIMITED");
  assert.ok(limited.length >= 3, `${limited.length} of 6 refused at 2 a second`);
  assert.match(limited[0].message, /at most 2 subscription operations per second/);

  const trader = subscribed[0]!;
  trader.send({ op: "subscribe", channel: "trades", symbol });
  const trades = Array.from({ length: 300 }, (_, index) => tradeEvent(symbol, 1000 + index));
  await fixture.publish(tradesTopic, trades);
  await trader.until(
    "300 trades",
    () => tradeSeqs(trader, symbol).filter((seq) => seq >= 1000).length >= 300,
  );
  assert.equal(
    tradeSeqs(trader, symbol).filter((seq) => seq >= 1000),
    trades.map((trade) => trade.seq),
  );
});

test("deleting it restores the configured depth, conflation and limits on every replica", async () => {
  await kubectlOk(cluster, [
    "delete",
    "edgedegradation",
    "ws-overload",
    "-n",
    "exchange",
    "--timeout=60s",
  ]);
  for (const replica of replicas) {
    await eventually(
      "the configured settings",
      async () => (await status(replica)).settings.bookDepthMax === 200,
    );
    assert.equal((await status(replica)).settings, {
      conflationMs: 50,
      bookDepthDefault: 50,
      bookDepthMax: 200,
      subscriptionsPerSecond: 20,
      degradedBy: [],
    });
  }
  for (const client of subscribed) {
    await client.until("a snapshot at depth 50", () => books(client).at(-1)?.depth === 50);
    assert.is(books(client).at(-1).bids.length, 30);
  }
});

test.run();
