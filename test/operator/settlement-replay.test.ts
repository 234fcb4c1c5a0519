/**
 * @module SettlementReplay end to end: a real API server, the operator with exactly its
 * generated RBAC, an exchange replica that does not consume `exchange.trades` (so a trade's
 * posting is missing, as after a stopped consumer or a restore), real PostgreSQL, Redis and
 * Kafka. A SettlementReplay applied with kubectl posts the missing trade and records what it
 * read; replaying from 0 twice more changes no balance; the same run asked again answers the
 * first.
 */
import { Kafka } from "kafkajs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RunningOperator } from "../../operators/operator";
import {
  asAdmin,
  balanceOf,
  call,
  deposit,
  type ExchangeFixture,
  type ExchangeReplica,
  eventually,
  placeOrder,
  startExchangeFixture,
} from "../exchange/exchange-fixture";
import {
  createTradesTopic,
  exchangeBalances,
  settledCount,
} from "../exchange-settlement/exchange-ledger";
import { type KafkaServer, startKafka } from "../harness/kafka";
import { type KubeCluster, startKube } from "../harness/kube";
import { adminToken } from "../payments/payments-fixture";
import { type ControlObject, getJson, installControls, kubectlOk, setup } from "./cluster";
import { createTokenSecret, startOperatorInProcess, writeTargets } from "./operator-runner";

const namespace = "exchange";

let cluster: KubeCluster;
let exchange: ExchangeFixture;
let broker: KafkaServer;
let kafka: Kafka;
let operator: RunningOperator;
let replica: ExchangeReplica;

const apply = (yaml: string) => kubectlOk(cluster, ["apply", "-f", "-"], { input: yaml });

function replayYaml(name: string): string {
  return `apiVersion: ops.breakwater.dev/v1alpha1
kind: SettlementReplay
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  fromOffset: 0
  reason: "the ledger was restored from PITR; settle every trade again"
  ticket: INC-7001
  requestedBy: alice
`;
}

test.before(
  setup(async () => {
    [cluster, exchange, broker] = await Promise.all([
      startKube(),
      startExchangeFixture(),
      startKafka(),
    ]);
    kafka = new Kafka({ clientId: "settlement-replay-test", brokers: broker.brokers });
    await createTradesTopic(kafka, 2);
    // No settlement consumer: trades reach Kafka and stay unposted until a replay.
    replica = await exchange.startReplica({
      KAFKA_BROKERS: broker.brokers.join(","),
      EXCHANGE_SETTLEMENT_CONSUMER: "false",
    });
    await installControls(cluster);
    await kubectlOk(cluster, ["create", "namespace", namespace]);
    await createTokenSecret(cluster, adminToken, "exchange");
    operator = await startOperatorInProcess(cluster, {
      OPERATOR_TARGETS_FILE: writeTargets({ exchangeUrl: replica.url }),
    });
    await deposit(replica.url, "dan", "USD", "100000000");
    await deposit(replica.url, "erin", "BTC", "100000000");
  }),
);

test.after(async () => {
  await operator?.stop();
  await Promise.all([cluster?.stop(), exchange?.stop()]);
  await broker?.stop();
});

interface ReplayStatus {
  phase?: string;
  message?: string;
  recordsRead?: number;
  alreadySettled?: number;
  newlyPosted?: number;
  conflicts?: number;
  finishedAt?: string;
  completedAt?: string;
}

async function completed(name: string) {
  return eventually(`SettlementReplay ${name} to finish`, async () => {
    const object = await getJson<ControlObject & { status?: ReplayStatus }>(
      cluster,
      `settlementreplay/${name}`,
      namespace,
    );
    return object.status?.completedAt ? object : undefined;
  });
}

/** Messages in `exchange.trades`, every partition. */
async function tradesPublished(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets("exchange.trades");
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

test("a trade whose ledger posting is missing is posted by a SettlementReplay applied with kubectl", async () => {
  const bid = await placeOrder(replica.url, "dan", {
    side: "buy",
    price: "1000000",
    quantity: "100000",
  });
  assert.is(bid.status, 201, JSON.stringify(bid.body));
  const ask = await placeOrder(replica.url, "erin", {
    side: "sell",
    price: "1000000",
    quantity: "100000",
  });
  assert.is(ask.status, 201, JSON.stringify(ask.body));
  await eventually("the trade to reach exchange.trades", async () =>
    (await tradesPublished()) >= 1 ? true : undefined,
  );
  assert.is(await settledCount(exchange.pool), 0, "nothing consumes: the posting is missing");
  assert.equal(await balanceOf(replica.url, "dan", "BTC"), { available: "0", held: "0" });

  await apply(replayYaml("replay-after-restore"));
  const object = await completed("replay-after-restore");
  assert.is(object.status?.phase, "Completed", object.status?.message);
  assert.equal(
    [object.status?.recordsRead, object.status?.alreadySettled, object.status?.newlyPosted],
    [1, 0, 1],
  );
  assert.is(object.status?.conflicts, 0);
  assert.ok(object.status?.finishedAt, "finishedAt is recorded");
  assert.is(await settledCount(exchange.pool), 1);
  assert.equal(await balanceOf(replica.url, "dan", "BTC"), { available: "100000", held: "0" });
  assert.equal(await balanceOf(replica.url, "erin", "BTC"), {
    available: "99900000",
    held: "0",
  });
  const table = await kubectlOk(cluster, ["get", "settlementreplays", "-n", namespace]);
  assert.match(table, /replay-after-restore\s+trades from offset 0\s+1\s+0\s+Completed/, table);
});

test("replaying from offset 0 twice more changes no balance, and a run asked again answers the first", async () => {
  const before = await exchangeBalances(exchange.pool);
  for (const name of ["replay-again", "replay-once-more"]) {
    await apply(replayYaml(name));
    const object = await completed(name);
    assert.is(object.status?.phase, "Completed", object.status?.message);
    assert.equal([object.status?.alreadySettled, object.status?.newlyPosted], [1, 0]);
    assert.equal(await exchangeBalances(exchange.pool), before, `${name} moved no money`);
  }
  // What the operator sends when it resumes a run it was interrupted in.
  const first = await getJson<ControlObject & { metadata: { uid: string } }>(
    cluster,
    "settlementreplay/replay-after-restore",
    namespace,
  );
  const again = await call(
    replica.url,
    "POST",
    "/admin/v1/settlement/replays",
    {
      reference: first.metadata.uid,
      fromOffset: 0,
      actor: "alice",
      reason: "resumed run",
      ticket: "INC-7001",
    },
    asAdmin,
  );
  assert.is(again.status, 200, JSON.stringify(again.body));
  assert.equal([again.body.newlyPosted, again.body.repeated], [1, true]);
  assert.equal(await exchangeBalances(exchange.pool), before);
});

test("a replay request with a bad offset is refused naming the field", async () => {
  const refused = await call(
    replica.url,
    "POST",
    "/admin/v1/settlement/replays",
    { reference: "bad-offset", fromOffset: -1, actor: "alice", reason: "r", ticket: "INC-7002" },
    asAdmin,
  );
  assert.is(refused.status, 422, JSON.stringify(refused.body));
  assert.match(JSON.stringify(refused.body), "fromOffset");
});

test.run();
