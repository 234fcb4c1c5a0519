/**
 * @module SymbolMode on three exchange replicas, through the admin API the operator drives:
 * CANCEL_ONLY and SOFT_HALT refuse new orders on every replica and accept cancels; HARD_HALT
 * refuses both and leaves the book as it was; a Global mode covers every symbol; of two modes
 * the most restrictive is in force and the refusal names it and its ticket; lifting restores
 * order entry. WithdrawalHalt refuses exchange withdrawals. A replica that does not sequence
 * the symbol forwards orders, cancels and CancelAll to the one that does, once (never a
 * forwarded request again), and to the next holder once the first stops.
 */
import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  asAdmin,
  call,
  deposit,
  type ExchangeFixture,
  type ExchangeReplica,
  eventually,
  liftControl,
  placeOrder,
  putControl,
  startExchangeFixture,
  traderHeaders,
} from "./exchange-fixture";

let fixture: ExchangeFixture;
let leader: ExchangeReplica;

test.before(async () => {
  fixture = await startExchangeFixture();
  for (let index = 0; index < 3; index++) await fixture.startReplica();
  // Cancels and the book go to the replica that sequences BTC-USD.
  leader = await eventually("a replica to sequence BTC-USD", async () => {
    for (const replica of fixture.replicas)
      if ((await call(replica.url, "GET", "/v1/book/BTC-USD")).status === 200) return replica;
    return undefined;
  });
  await deposit(leader.url, "carol", "USD", "100000000");
  await deposit(leader.url, "carol", "BTC", "100000000");
});

test.after(async () => {
  await fixture?.stop();
});

/** Waits until every replica holds controls version `version`. */
async function everyReplicaHolds(version: number): Promise<void> {
  await eventually(`every replica to hold controls version ${version}`, async () => {
    const listed = await call(leader.url, "GET", "/admin/v1/controls", undefined, asAdmin);
    const replicas = listed.body.replicas as { version: number; live: boolean }[];
    const live = replicas.filter((replica) => replica.live);
    return live.length === 3 && live.every((replica) => replica.version >= version)
      ? true
      : undefined;
  });
}

async function setMode(id: string, spec: Record<string, unknown>, ticket: string) {
  const put = await putControl(leader.url, id, "SymbolMode", spec, ticket);
  assert.is(put.status, 200, JSON.stringify(put.body));
  await everyReplicaHolds(put.body.version);
}

async function lift(id: string) {
  const lifted = await liftControl(leader.url, id);
  assert.is(lifted.status, 200, JSON.stringify(lifted.body));
  await everyReplicaHolds(lifted.body.version);
}

/** Carol's bid at 10,000.00, sent to `url` (the sequencer unless told another replica). */
async function restingBid(url = leader.url): Promise<string> {
  const placed = await placeOrder(url, "carol", {
    side: "buy",
    price: "1000000",
    quantity: "100000",
  });
  assert.is(placed.status, 201, JSON.stringify(placed.body));
  return placed.body.orderId;
}

async function cancel(orderId: string) {
  return call(
    leader.url,
    "DELETE",
    `/v1/orders/${orderId}`,
    undefined,
    await traderHeaders("carol"),
  );
}

async function assertEveryReplicaRefuses(slug: RegExp, control: string, ticket: string) {
  for (const replica of fixture.replicas) {
    const refused = await placeOrder(replica.url, "carol", {
      side: "sell",
      price: "9000000",
      quantity: "100000",
    });
    assert.is(refused.status, 423, JSON.stringify(refused.body));
    assert.match(refused.body.type, slug);
    assert.equal([refused.body.control, refused.body.ticket], [control, ticket]);
  }
}

for (const mode of ["CANCEL_ONLY", "SOFT_HALT"] as const) {
  test(`${mode} refuses new orders on every replica and accepts cancels`, async () => {
    const orderId = await restingBid();
    const id = `symbolmode.exchange.${mode.toLowerCase().replace("_", "-")}`;
    await setMode(id, { symbol: "BTC-USD", mode }, "INC-2001");
    await assertEveryReplicaRefuses(
      new RegExp(`exchange/${mode.toLowerCase().replace("_", "-")}$`),
      id,
      "INC-2001",
    );
    const cancelled = await cancel(orderId);
    assert.is(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.is(cancelled.body.status, "cancelled");
    // Another symbol trades on.
    const other = await placeOrder(leader.url, "carol", {
      symbol: "ETH-USD",
      side: "buy",
      price: "100",
      quantity: "10000000",
    });
    assert.not.equal(other.status, 423);
    await lift(id);
    assert.is(
      (
        await placeOrder(leader.url, "carol", {
          side: "sell",
          price: "9000000",
          quantity: "100000",
        })
      ).status,
      201,
    );
  });
}

test("HARD_HALT refuses orders and cancels and freezes the book", async () => {
  const orderId = await restingBid();
  const bookBefore = (await call(leader.url, "GET", "/v1/book/BTC-USD")).body;
  const id = "symbolmode.exchange.hard";
  await setMode(id, { symbol: "BTC-USD", mode: "HARD_HALT" }, "INC-2002");
  const forwarded = await Promise.all(fixture.replicas.map((replica) => forwardsOf(replica.url)));
  await assertEveryReplicaRefuses(/exchange\/hard-halt$/, id, "INC-2002");
  // Each replica refuses by itself: nothing is forwarded to the sequencer.
  assert.equal(
    await Promise.all(fixture.replicas.map((replica) => forwardsOf(replica.url))),
    forwarded,
  );
  const refused = await cancel(orderId);
  assert.is(refused.status, 423);
  assert.match(refused.body.type, /exchange\/hard-halt$/);
  assert.equal((await call(leader.url, "GET", "/v1/book/BTC-USD")).body, bookBefore);
  await lift(id);
  assert.is((await cancel(orderId)).status, 200);
});

test("the most restrictive of two modes is in force, and a Global mode covers every symbol", async () => {
  await setMode("symbolmode.exchange.global", { scope: "Global", mode: "SOFT_HALT" }, "INC-3001");
  await setMode("symbolmode.exchange.btc", { symbol: "BTC-USD", mode: "CANCEL_ONLY" }, "INC-3002");
  // BTC-USD has CANCEL_ONLY of its own and the Global SOFT_HALT: SOFT_HALT is in force.
  await assertEveryReplicaRefuses(/exchange\/soft-halt$/, "symbolmode.exchange.global", "INC-3001");
  const eth = await placeOrder(leader.url, "carol", {
    symbol: "ETH-USD",
    side: "buy",
    price: "100",
    quantity: "10000000",
  });
  assert.is(eth.status, 423);
  assert.equal([eth.body.control, eth.body.ticket], ["symbolmode.exchange.global", "INC-3001"]);
  await lift("symbolmode.exchange.global");
  await assertEveryReplicaRefuses(/exchange\/cancel-only$/, "symbolmode.exchange.btc", "INC-3002");
  await lift("symbolmode.exchange.btc");
});

test("a global SymbolMode without scope Global is refused, naming the rule", async () => {
  const put = await putControl(leader.url, "symbolmode.exchange.bad", "SymbolMode", {
    mode: "SOFT_HALT",
  });
  assert.is(put.status, 422);
  assert.match(JSON.stringify(put.body), /symbol is required, unless scope is Global/);
});

test("WithdrawalHalt on the exchange refuses withdrawals of that asset only", async () => {
  const id = "withdrawalhalt.exchange.usd";
  const put = await putControl(
    leader.url,
    id,
    "WithdrawalHalt",
    { scope: { services: ["exchange"], currencies: ["USD"] } },
    "INC-4001",
  );
  assert.is(put.status, 200, JSON.stringify(put.body));
  await everyReplicaHolds(put.body.version);
  const headers = { ...(await traderHeaders("carol")), "idempotency-key": randomUUID() };
  for (const replica of fixture.replicas) {
    const refused = await call(
      replica.url,
      "POST",
      "/v1/withdrawals",
      { asset: "USD", amount: "100" },
      { ...headers, "idempotency-key": randomUUID() },
    );
    assert.is(refused.status, 423, JSON.stringify(refused.body));
    assert.equal([refused.body.control, refused.body.ticket], [id, "INC-4001"]);
  }
  const btc = await call(
    leader.url,
    "POST",
    "/v1/withdrawals",
    { asset: "BTC", amount: "100" },
    headers,
  );
  assert.is(btc.status, 201, JSON.stringify(btc.body));
});

/** `exchange_order_forwards_total{result="forwarded"}` of the replica at `url`. */
async function forwardsOf(url: string): Promise<number> {
  const metrics = await call(url, "GET", "/metrics");
  const line = /exchange_order_forwards_total\{[^}]*result="forwarded"[^}]*\} (\d+)/.exec(
    metrics.body,
  );
  return Number(line?.[1] ?? 0);
}

/** A replica of the fixture's that does not sequence BTC-USD. */
function another(): ExchangeReplica {
  return fixture.replicas.find((replica) => replica !== leader) as ExchangeReplica;
}

test("an order and a cancel sent to a replica that does not sequence are forwarded to the one that does", async () => {
  const other = another();
  assert.is((await deposit(leader.url, "dan", "BTC", "100000000")).status, 201);
  const ask = await placeOrder(other.url, "dan", {
    side: "sell",
    price: "7000000",
    quantity: "100000",
  });
  assert.is(ask.status, 201, JSON.stringify(ask.body));
  assert.is(ask.body.status, "open");
  const book = await call(leader.url, "GET", "/v1/book/BTC-USD");
  assert.ok(book.body.asks.some((level: { price: string }) => level.price === "7000000"));
  // The request goes on unchanged, Idempotency-Key included: the sequencer stores the answer.
  const bid = { clientOrderId: randomUUID(), symbol: "BTC-USD", type: "limit", side: "buy" };
  const headers = { ...(await traderHeaders("carol")), "idempotency-key": randomUUID() };
  const body = { ...bid, price: "7000000", quantity: "100000" };
  const taken = await call(other.url, "POST", "/v1/orders", body, headers);
  assert.is(taken.status, 201, JSON.stringify(taken.body));
  assert.equal([taken.body.status, taken.body.filled], ["filled", "100000"]);
  const again = await call(other.url, "POST", "/v1/orders", body, headers);
  assert.equal([again.status, again.body.orderId], [201, taken.body.orderId]);
  assert.is(again.headers.get("idempotent-replayed"), "true");

  const url = `/v1/orders/${await restingBid(other.url)}`;
  const cancelled = await call(other.url, "DELETE", url, undefined, await traderHeaders("carol"));
  assert.is(cancelled.status, 200, JSON.stringify(cancelled.body));
  assert.is(cancelled.body.status, "cancelled");
  // The ask, the bid and its repeat, the resting bid and its cancel, at least.
  assert.ok((await forwardsOf(other.url)) >= 5);
});

test("CancelAll sent to a replica that does not sequence runs on the one that does", async () => {
  await restingBid();
  const run = await call(
    another().url,
    "POST",
    "/admin/v1/symbols/BTC-USD/cancel-all",
    { reference: randomUUID(), actor: "alice", reason: "forwarded", ticket: "INC-5001" },
    asAdmin,
  );
  assert.is(run.status, 200, JSON.stringify(run.body));
  assert.ok(run.body.ordersCancelled >= 1);
  assert.equal((await call(leader.url, "GET", "/v1/book/BTC-USD")).body.bids, []);
});

test("a forwarded request is never forwarded again: a replica that does not sequence answers 503", async () => {
  const refused = await call(
    another().url,
    "POST",
    "/v1/orders",
    {
      clientOrderId: randomUUID(),
      symbol: "BTC-USD",
      type: "limit",
      side: "buy",
      price: "1000000",
      quantity: "100000",
    },
    { ...(await traderHeaders("carol")), "x-exchange-forwarded-by": "exchange-elsewhere" },
  );
  assert.is(refused.status, 503, JSON.stringify(refused.body));
  assert.match(refused.body.type, /exchange\/sequencer-unavailable$/);
});

test("once the sequencer stops, another replica takes the lease and every replica takes orders again", async () => {
  await leader.stop();
  const rest = fixture.replicas.filter((replica) => replica !== leader);
  leader = await eventually("another replica to sequence BTC-USD", async () => {
    for (const replica of rest)
      if ((await call(replica.url, "GET", "/v1/book/BTC-USD")).status === 200) return replica;
    return undefined;
  });
  for (const replica of rest) await restingBid(replica.url);
  const book = await call(leader.url, "GET", "/v1/book/BTC-USD");
  assert.equal(book.body.bids, [{ price: "1000000", quantity: "200000", orders: 2 }]);
});

test.run();
