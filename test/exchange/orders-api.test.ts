/**
 * @module The exchange's order API on a real replica (PostgreSQL, Redis): funds held when an
 * order is accepted and released on cancel and price improvement, a match visible in the
 * book, the order view and the outbox, the client order id as idempotency key, and
 * problem+json for insufficient funds, unknown symbols, bad sizes and another's order. An
 * order sent to another replica while the sequencer cannot be reached is refused with 503 and
 * taken once when retried.
 */
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { freePort } from "../harness/process";
import {
  balanceOf,
  call,
  deposit,
  type ExchangeFixture,
  type ExchangeReplica,
  eventually,
  placeOrder,
  startExchangeFixture,
  traderHeaders,
} from "./exchange-fixture";

let fixture: ExchangeFixture;
let replica: ExchangeReplica;

test.before(async () => {
  fixture = await startExchangeFixture();
  // It advertises an address nobody answers at: another replica cannot forward to it.
  const nobody = `http://127.0.0.1:${await freePort()}`;
  replica = await fixture.startReplica({ EXCHANGE_ADVERTISE_URL: nobody });
  await eventually("the replica to sequence BTC-USD", async () =>
    (await call(replica.url, "GET", "/v1/book/BTC-USD")).status === 200 ? true : undefined,
  );
  assert.is((await deposit(replica.url, "alice", "USD", "100000000")).status, 201); // 1,000,000.00 USD
  assert.is((await deposit(replica.url, "bob", "BTC", "1000000000")).status, 201); // 10 BTC
});

test.after(async () => {
  await fixture?.stop();
});

test("a resting buy holds its notional and a cancel gives it back", async () => {
  // 0.01 BTC at 50,000.00 USD: 500.00 USD held.
  const placed = await placeOrder(replica.url, "alice", {
    side: "buy",
    price: "5000000",
    quantity: "1000000",
  });
  assert.is(placed.status, 201, JSON.stringify(placed.body));
  assert.is(placed.body.status, "open");
  assert.equal(await balanceOf(replica.url, "alice", "USD"), {
    available: "99950000",
    held: "50000",
  });
  const book = await call(replica.url, "GET", "/v1/book/BTC-USD");
  assert.equal(book.body.bids, [{ price: "5000000", quantity: "1000000", orders: 1 }]);

  const cancelled = await call(
    replica.url,
    "DELETE",
    `/v1/orders/${placed.body.orderId}`,
    undefined,
    await traderHeaders("alice"),
  );
  assert.is(cancelled.status, 200, JSON.stringify(cancelled.body));
  assert.is(cancelled.body.status, "cancelled");
  assert.equal(await balanceOf(replica.url, "alice", "USD"), { available: "100000000", held: "0" });
  const again = await call(
    replica.url,
    "DELETE",
    `/v1/orders/${placed.body.orderId}`,
    undefined,
    await traderHeaders("alice"),
  );
  assert.is(again.status, 409);
  assert.match(again.body.type, /exchange\/order-not-open$/);
});

test("a crossing buy trades at the maker's price and frees the difference", async () => {
  const ask = await placeOrder(replica.url, "bob", {
    side: "sell",
    price: "6000000",
    quantity: "2000000",
  });
  assert.is(ask.status, 201, JSON.stringify(ask.body));
  assert.equal(await balanceOf(replica.url, "bob", "BTC"), {
    available: "998000000",
    held: "2000000",
  });
  // Alice bids 61,000.00 for 0.01 BTC and pays 60,000.00: 610.00 held, 10.00 freed at once.
  const bid = await placeOrder(replica.url, "alice", {
    side: "buy",
    price: "6100000",
    quantity: "1000000",
  });
  assert.is(bid.status, 201, JSON.stringify(bid.body));
  assert.is(bid.body.status, "filled");
  assert.is(bid.body.filled, "1000000");
  // What remains held is exactly what the settlement will move to bob.
  assert.equal(await balanceOf(replica.url, "alice", "USD"), {
    available: "99940000",
    held: "60000",
  });
  const maker = await call(
    replica.url,
    "GET",
    `/v1/orders/${ask.body.orderId}`,
    undefined,
    await traderHeaders("bob"),
  );
  assert.equal([maker.body.status, maker.body.filled], ["open", "1000000"]);
  const book = await call(replica.url, "GET", "/v1/book/BTC-USD");
  assert.equal(book.body.asks, [{ price: "6000000", quantity: "1000000", orders: 1 }]);

  const trades = await fixture.pool.query(
    `SELECT payload FROM outbox WHERE topic = 'exchange.trades' ORDER BY created_at`,
  );
  assert.is(trades.rows.length, 1);
  const trade = trades.rows[0].payload;
  assert.equal(
    [trade.type, trade.symbol, trade.price, trade.quantity, trade.quoteAmount, trade.takerSide],
    ["TradeExecuted", "BTC-USD", "6000000", "1000000", "60000", "buy"],
  );
  assert.equal(trade.buyer, { trader: "alice", orderId: bid.body.orderId });
  assert.equal(trade.seller, { trader: "bob", orderId: ask.body.orderId });
  const logged = await fixture.pool.query(
    `SELECT kind FROM exchange_engine_log WHERE symbol = 'BTC-USD' AND seq = $1`,
    [trade.seq],
  );
  assert.equal(logged.rows, [{ kind: "TradeExecuted" }]);
});

test("the same clientOrderId answers the first order and places nothing more", async () => {
  const input = {
    side: "sell" as const,
    price: "9000000",
    quantity: "1000000",
    clientOrderId: "bob-1",
  };
  const first = await placeOrder(replica.url, "bob", input);
  const second = await placeOrder(replica.url, "bob", input);
  assert.is(first.status, 201);
  assert.is(second.status, 200);
  assert.is(second.body.orderId, first.body.orderId);
  const count = await fixture.pool.query(
    `SELECT count(*)::int AS n FROM exchange_orders WHERE client_order_id = 'bob-1'`,
  );
  assert.is(count.rows[0].n, 1);
});

test("refusals are problems and move nothing", async () => {
  const before = await balanceOf(replica.url, "alice", "USD");
  const poor = await placeOrder(replica.url, "alice", {
    side: "buy",
    price: "5000000",
    quantity: "10000000000",
  });
  assert.is(poor.status, 422, JSON.stringify(poor.body));
  assert.match(poor.body.type, /ledger\/insufficient-funds$/);
  const unknown = await placeOrder(replica.url, "alice", {
    side: "buy",
    symbol: "DOGE-USD",
    price: "100",
    quantity: "1",
  });
  assert.is(unknown.status, 404);
  assert.match(unknown.body.type, /exchange\/unknown-symbol$/);
  const offTick = await placeOrder(replica.url, "alice", {
    side: "buy",
    price: "5000001",
    quantity: "1000000",
  });
  assert.is(offTick.status, 422);
  assert.equal(offTick.body.errors[0].path, "price");
  const offLot = await placeOrder(replica.url, "alice", {
    side: "buy",
    price: "5000000",
    quantity: "1",
  });
  assert.equal(offLot.body.errors[0].path, "quantity");
  const noBudget = await placeOrder(replica.url, "alice", {
    side: "buy",
    type: "market",
    quantity: "1000000",
  });
  assert.equal(noBudget.body.errors[0].path, "quoteBudget");
  assert.equal(await balanceOf(replica.url, "alice", "USD"), before);

  const bobs = await placeOrder(replica.url, "bob", {
    side: "sell",
    price: "9900000",
    quantity: "1000000",
  });
  const stolen = await call(
    replica.url,
    "DELETE",
    `/v1/orders/${bobs.body.orderId}`,
    undefined,
    await traderHeaders("alice"),
  );
  assert.is(stolen.status, 404);
  const read = await call(
    replica.url,
    "GET",
    `/v1/orders/${bobs.body.orderId}`,
    undefined,
    await traderHeaders("alice"),
  );
  assert.is(read.status, 404);
  const anonymous = await call(replica.url, "POST", "/v1/orders", {}, { authorization: "" });
  assert.is(anonymous.status, 401);
});

test("a market buy spends at most its budget and gets the rest back", async () => {
  // The book holds bob's asks at 60,000 (0.01 left), 90,000 and 99,000.
  const before = await balanceOf(replica.url, "alice", "USD");
  const market = await placeOrder(replica.url, "alice", {
    side: "buy",
    type: "market",
    quantity: "5000000",
    quoteBudget: "100000", // 1,000.00 USD: 0.01 at 60,000 (600.00), then 0.004 at 90,000 (360.00)
  });
  assert.is(market.status, 201, JSON.stringify(market.body));
  assert.equal([market.body.status, market.body.filled], ["cancelled", "1400000"]);
  const after = await balanceOf(replica.url, "alice", "USD");
  assert.is(BigInt(before.available) - BigInt(after.available), 96000n);
  assert.is(BigInt(after.held) - BigInt(before.held), 96000n);
});

test("an order sent to another replica while the sequencer is unreachable is refused with 503 and loses nothing", async () => {
  const other = await fixture.startReplica();
  const before = await balanceOf(replica.url, "alice", "USD");
  const body = {
    clientOrderId: randomUUID(),
    symbol: "BTC-USD",
    type: "limit",
    side: "buy",
    price: "1000000",
    quantity: "1000000",
  };
  const headers = await traderHeaders("alice");
  const refused = await call(other.url, "POST", "/v1/orders", body, headers);
  assert.is(refused.status, 503, JSON.stringify(refused.body));
  assert.match(refused.body.type, /exchange\/sequencer-unavailable$/);
  assert.ok(refused.headers.get("retry-after"));
  assert.equal(await balanceOf(replica.url, "alice", "USD"), before);
  const metrics = await call(other.url, "GET", "/metrics");
  assert.match(metrics.body, /exchange_order_forwards_total\{[^}]*result="unreachable"[^}]*\} 1/);
  // Retried, the order is taken once.
  const placed = await call(replica.url, "POST", "/v1/orders", body, headers);
  assert.is(placed.status, 201, JSON.stringify(placed.body));
  const again = await call(replica.url, "POST", "/v1/orders", body, headers);
  assert.equal([again.status, again.body.orderId], [200, placed.body.orderId]);
});

test.run();
