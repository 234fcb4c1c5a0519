/**
 * @module Seed 002's 3.5 on the edge: the Kafka broker stops mid-stream and comes back. Every
 * connection on both replicas is told market data is unavailable (and a connection opened
 * during the outage too), is told when it is back, resubscribes, and holds every trade with
 * no gap.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Json, metricValue } from "../payments/payments-fixture";
import {
  type EdgeFixture,
  type EdgeReplica,
  RecordingClient,
  startEdgeFixture,
  tradeEvent,
  tradeSeqs,
  tradesTopic,
} from "./edge-fixture";

let fixture: EdgeFixture;
let replicas: EdgeReplica[];
const clients: RecordingClient[] = [];
const symbol = "BTC-USD";

test.before(async () => {
  fixture = await startEdgeFixture();
  replicas = [await fixture.startReplica(), await fixture.startReplica()];
});

test.after(async () => {
  for (const client of clients) client.close();
  await fixture?.stop();
});

async function status(replica: EdgeReplica): Promise<Json> {
  return (await fetch(`${replica.url}/v1/market-data/status`)).json();
}

function statuses(client: RecordingClient): string[] {
  return client.messages.filter((m) => m.type === "status").map((m) => m.status);
}

function publishTrades(from: number, count: number) {
  const trades = Array.from({ length: count }, (_, index) => tradeEvent(symbol, from + index));
  return fixture.publish(tradesTopic, trades);
}

test("clients are told of a broker outage and its end, resubscribe, and miss no trade", async () => {
  for (const replica of [...replicas, ...replicas]) {
    const client = await RecordingClient.connect(replica.url);
    client.send({ op: "subscribe", channel: "trades", symbol });
    clients.push(client);
  }
  await publishTrades(1, 100);
  for (const client of clients) {
    await client.until("100 trades", () => tradeSeqs(client, symbol).includes(100), 60_000);
  }

  await fixture.kafka!.stop();
  for (const client of clients) {
    await client.until("the outage status", () => statuses(client).includes("degraded"), 60_000);
  }
  const told = clients[0]!.messages.find((m) => m.type === "status");
  assert.is(told.reason, "MARKET_DATA_UNAVAILABLE");
  for (const replica of replicas) {
    assert.is((await status(replica)).marketData, "down");
    const text = await (await fetch(`${replica.url}/metrics`)).text();
    assert.is(metricValue(text, "ws_market_data_up"), 0);
  }
  const late = await RecordingClient.connect(replicas[1]!.url);
  clients.push(late);
  await late.until("the outage status on connect", () => statuses(late).includes("degraded"));

  await fixture.kafka!.start();
  for (const client of clients) {
    await client.until("the recovery status", () => statuses(client).includes("ok"), 120_000);
    client.send({ op: "subscribe", channel: "trades", symbol, id: "after-outage" });
  }
  await publishTrades(101, 100);
  for (const client of clients.slice(0, 4)) {
    await client.until("200 trades", () => tradeSeqs(client, symbol).includes(200), 120_000);
    const held = [...new Set(tradeSeqs(client, symbol))].sort((a, b) => a - b);
    assert.equal(
      held,
      Array.from({ length: 200 }, (_, index) => index + 1),
    );
    assert.ok(client.messages.some((m) => m.type === "snapshot" && m.id === "after-outage"));
  }
  for (const replica of replicas) assert.is((await status(replica)).marketData, "up");
});

test.run();
