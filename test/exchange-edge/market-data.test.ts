/**
 * @module Market data over `/ws` on two edge replicas fed by a real Kafka broker: every
 * client on either replica receives every trade in order with gap-free sequence numbers,
 * book snapshots and conflated increments rebuild the book, candles follow the trades, a
 * client that stops reading is closed with SLOW_CONSUMER while the others miss nothing, and
 * subscription operations are validated and rate limited per connection.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { eventually, metricValue } from "../payments/payments-fixture";
import {
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

let fixture: EdgeFixture;
let replicas: EdgeReplica[];
const clients: RecordingClient[] = [];
let nextTradeSeq = 1;
let nextBookSeq = 1_000_000;

test.before(async () => {
  fixture = await startEdgeFixture();
  const env = { EDGE_OUTBOUND_QUEUE_MAX_BYTES: "131072", EDGE_SUBSCRIPTIONS_PER_SECOND: "5" };
  replicas = [await fixture.startReplica(env), await fixture.startReplica(env)];
});

test.after(async () => {
  for (const client of clients) client.close();
  await fixture?.stop();
});

async function connect(replica: EdgeReplica): Promise<RecordingClient> {
  const client = await RecordingClient.connect(replica.url);
  clients.push(client);
  return client;
}

function trades(symbol: string, count: number) {
  return Array.from({ length: count }, () => tradeEvent(symbol, nextTradeSeq++));
}

async function metrics(replica: EdgeReplica): Promise<string> {
  return (await fetch(`${replica.url}/metrics`)).text();
}

/** Subscribe and wait for the snapshot that answers it. */
async function subscribe(client: RecordingClient, message: Record<string, unknown>) {
  const id = `${message.channel}-${Math.random()}`;
  client.send({ op: "subscribe", ...message, id });
  await client.until(`snapshot ${id}`, () =>
    client.messages.some((m) => m.type === "snapshot" && m.id === id),
  );
  return client.messages.find((m) => m.type === "snapshot" && m.id === id);
}

function assertGapFree(messages: { seq: number }[], what: string) {
  messages.forEach((message, index) => {
    assert.is(message.seq, messages[0]!.seq + index, `${what}: seq ${message.seq} at ${index}`);
  });
}

test("clients on both replicas receive every trade in order, with gap-free sequence numbers", async () => {
  const subscribers: RecordingClient[] = [];
  for (let index = 0; index < 12; index += 1) {
    const client = await connect(replicas[index % 2]!);
    await subscribe(client, { channel: "trades", symbol: "BTC-USD" });
    subscribers.push(client);
  }
  const first = nextTradeSeq;
  for (let batch = 0; batch < 5; batch += 1)
    await fixture.publish(tradesTopic, trades("BTC-USD", 100));
  // A repeat from an at-least-once relay is not shown twice.
  await fixture.publish(tradesTopic, [tradeEvent("BTC-USD", nextTradeSeq - 1)]);
  const expected = Array.from({ length: nextTradeSeq - first }, (_, index) => first + index);
  for (const client of subscribers) {
    await client.until(
      "every trade",
      () => tradeSeqs(client, "BTC-USD").filter((seq) => seq >= first).length >= expected.length,
    );
    assert.equal(
      tradeSeqs(client, "BTC-USD").filter((seq) => seq >= first),
      expected,
    );
    assertGapFree(client.of("trades", "BTC-USD"), "trades");
    const trade = client.of("trades", "BTC-USD").at(-1).trade;
    assert.equal(Object.keys(trade).sort(), [
      "executedAt",
      "price",
      "quantity",
      "quoteAmount",
      "takerSide",
      "tradeSeq",
    ]);
  }
  const text = await metrics(replicas[0]!);
  assert.ok((metricValue(text, "ws_connected_clients") ?? 0) >= 6);
  assert.ok(
    (metricValue(text, "ws_outbound_messages_total", { channel: "trades" }) ?? 0) >= 6 * 500,
  );
});

test("a trades subscription starts with a snapshot of recent trades; the next trade follows its seq", async () => {
  const client = await connect(replicas[1]!);
  const snapshot = await subscribe(client, { channel: "trades", symbol: "BTC-USD" });
  assert.is(snapshot.trades.length, 50);
  assert.is(snapshot.trades.at(-1).tradeSeq, nextTradeSeq - 1);
  await fixture.publish(tradesTopic, trades("BTC-USD", 1));
  await client.until("the next trade", () => client.of("trades", "BTC-USD").length === 2);
  const next = client.of("trades", "BTC-USD")[1];
  assert.is(next.type, "TradeExecuted");
  assert.is(next.seq, snapshot.seq + 1);
  assert.is(next.trade.tradeSeq, nextTradeSeq - 1);
});

test("the book: snapshot at the asked depth, then increments that rebuild the top levels", async () => {
  const symbol = "ETH-USD";
  const levels = [
    bookEvent(symbol, nextBookSeq++, "buy", 100n, 5n),
    bookEvent(symbol, nextBookSeq++, "buy", 99n, 7n),
    bookEvent(symbol, nextBookSeq++, "buy", 98n, 9n),
    bookEvent(symbol, nextBookSeq++, "sell", 101n, 3n),
    bookEvent(symbol, nextBookSeq++, "sell", 102n, 4n),
  ];
  await fixture.publish(bookTopic, levels);
  const client = await connect(replicas[0]!);
  const snapshot = await eventually("book levels on the replica", async () => {
    const answer = await subscribe(client, { channel: "book", symbol, depth: 2 });
    return answer.bids.length === 2 && answer.asks.length === 2 ? answer : undefined;
  });
  assert.equal(snapshot.bids, [
    ["100", "5"],
    ["99", "7"],
  ]);
  assert.equal(snapshot.asks, [
    ["101", "3"],
    ["102", "4"],
  ]);
  assert.is(snapshot.depth, 2);

  // The best bid leaves: 98 enters the top two. Many changes to one level are conflated.
  const changes = [bookEvent(symbol, nextBookSeq++, "buy", 100n, 0n)];
  for (let quantity = 1n; quantity <= 20n; quantity += 1n) {
    changes.push(bookEvent(symbol, nextBookSeq++, "sell", 101n, quantity));
  }
  await fixture.publish(bookTopic, changes);
  const view = { bids: new Map(snapshot.bids), asks: new Map(snapshot.asks) };
  await client.until("the book's increments", () => {
    const updates = client.messages.filter((m) => m.type === "BookUpdated" && m.seq > snapshot.seq);
    for (const side of ["bids", "asks"] as const) {
      view[side] = new Map(snapshot[side]);
      for (const update of updates) {
        for (const [price, quantity] of update[side]) {
          if (quantity === "0") view[side].delete(price);
          else view[side].set(price, quantity);
        }
      }
    }
    return view.asks.get("101") === "20" && !view.bids.has("100");
  });
  assert.equal(
    [...view.bids],
    [
      ["99", "7"],
      ["98", "9"],
    ],
  );
  assert.equal(
    [...view.asks],
    [
      ["101", "20"],
      ["102", "4"],
    ],
  );
  const book = client.of("book", symbol).filter((m) => m.seq >= snapshot.seq);
  assertGapFree(book, "book");
  assert.ok(
    book.length < 1 + changes.length,
    `${book.length} book messages for ${changes.length} changes`,
  );
});

test("candles: a snapshot, then CandleUpdated built from the trades", async () => {
  const client = await connect(replicas[1]!);
  const symbol = "ETH-USD";
  const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 5_000);
  await subscribe(client, { channel: "candles", symbol, interval: "1m" });
  await fixture.publish(tradesTopic, [
    tradeEvent(symbol, nextTradeSeq++, 200n, 100_000_000n, minute),
    tradeEvent(symbol, nextTradeSeq++, 250n, 100_000_000n, minute),
    tradeEvent(symbol, nextTradeSeq++, 150n, 200_000_000n, minute),
    tradeEvent(symbol, nextTradeSeq++, 180n, 100_000_000n, minute),
  ]);
  await client.until("the candle of four trades", () =>
    client
      .of("candles", symbol, "1m")
      .some((m) => m.type === "CandleUpdated" && m.candle.trades === 4),
  );
  const candle = client
    .of("candles", symbol, "1m")
    .findLast((m) => m.type === "CandleUpdated").candle;
  assert.equal(
    { open: candle.open, high: candle.high, low: candle.low, close: candle.close },
    { open: "200", high: "250", low: "150", close: "180" },
  );
  assert.is(candle.volume, "500000000");
  assert.is(candle.quoteVolume, String(200 + 250 + 300 + 180));
  assert.is(candle.openTime, new Date(minute.getTime() - 5_000).toISOString());
  assertGapFree(client.of("candles", symbol, "1m"), "candles");
});

test("a client that stops reading is closed with SLOW_CONSUMER; the others get every trade", async () => {
  const slow = await connect(replicas[0]!);
  const fast = await connect(replicas[0]!);
  const other = await connect(replicas[1]!);
  for (const client of [slow, fast, other])
    await subscribe(client, { channel: "trades", symbol: "BTC-USD" });
  slow.socket.pause();
  const first = nextTradeSeq;
  // Loopback buffers hold megabytes: publish until the slow client's queue passes its cap.
  await eventually(
    "the slow consumer closed",
    async () => {
      await fixture.publish(tradesTopic, trades("BTC-USD", 2_000));
      const closes = metricValue(await metrics(replicas[0]!), "ws_close_total", {
        reason: "SLOW_CONSUMER",
      });
      return (closes ?? 0) >= 1;
    },
    240_000,
  );
  slow.socket.resume();
  await slow.until("the close frame", () => slow.closed !== undefined);
  assert.equal(slow.closed, { code: 4008, reason: "SLOW_CONSUMER" });
  const expected = Array.from({ length: nextTradeSeq - first }, (_, index) => first + index);
  for (const client of [fast, other]) {
    await client.until(
      "every trade",
      () => tradeSeqs(client, "BTC-USD").filter((s) => s >= first).length >= expected.length,
      120_000,
    );
    assert.equal(
      tradeSeqs(client, "BTC-USD").filter((s) => s >= first),
      expected,
    );
    assert.is(client.closed, undefined);
  }
  const text = await metrics(replicas[0]!);
  assert.ok(
    (metricValue(text, "ws_dropped_messages_total", { reason: "slow_consumer" }) ?? 0) >= 1,
  );
  assert.ok((metricValue(text, "ws_connection_backlog_bytes_count") ?? 0) > 0);
});

test("subscription operations are checked and rate limited per connection", async () => {
  const client = await connect(replicas[1]!);
  client.send({ op: "subscribe", channel: "book", symbol: "BTC-USD", depth: "deep", id: "bad" });
  client.send({ op: "subscribe", channel: "trades", symbol: "DOGE-USD", id: "unknown" });
  await client.until(
    "two refusals",
    () => client.messages.filter((m) => m.type === "error").length >= 2,
  );
  const [bad, unknown] = client.messages.filter((m) => m.type === "error");
  assert.is(bad.code, "BAD_REQUEST");
  assert.match(bad.message, /^depth: /);
  assert.is(bad.id, "bad");
  assert.is(unknown.code, "UNKNOWN_SYMBOL");
  for (let index = 0; index < 12; index += 1) {
    client.send({
      op: index % 2 ? "unsubscribe" : "subscribe",
      channel: "trades",
      symbol: "ETH-USD",
      id: index,
    });
  }
  await client.until(
    "answers to 12 operations",
    () => client.messages.filter((m) => typeof m.id === "number").length >= 12,
  );
  const limited = client.messages.filter((m) => m.code === "RATE_LIMITED");
  // 5 a second were allowed (the first refusal above counted one): most of a burst of 12 are refused.
  assert.ok(limited.length >= 5, `${limited.length} refused`);
  const text = await metrics(replicas[1]!);
  assert.ok(
    (metricValue(text, "ws_subscription_ops_total", { op: "subscribe", result: "rate_limited" }) ??
      0) >= 1,
  );
  // Another connection has its own budget.
  const next = await connect(replicas[1]!);
  await subscribe(next, { channel: "trades", symbol: "ETH-USD" });
});

test.run();
