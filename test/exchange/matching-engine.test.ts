/**
 * @module The matching engine against a simple reference book on random order streams
 * (fast-check): the same trades in the same order, the same cancels and the same book, for
 * limit and market orders, market buys with a quote budget, and cancels of live and unknown
 * orders. A few examples pin price-time priority and price improvement by hand.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MatchingEngine } from "../../services/exchange/engine/matching-engine";
import type { EngineEvent, NewOrder, Side } from "../../services/exchange/engine/types";
import { ReferenceBook, type ReferenceTrade } from "./reference-book";
import { btcUsd } from "./symbols";

const spec = btcUsd;

function limit(orderId: string, trader: string, side: Side, price: bigint, quantity: bigint) {
  return { orderId, trader, side, type: "limit", price, quantity } satisfies NewOrder;
}

/** A step of a random stream: an order, or a cancel of the `pick`-th order placed so far. */
type Command = { kind: "order"; raw: RawOrder } | { kind: "cancel"; pick: number };

const lots = fc.integer({ min: 1, max: 20 }).map((n) => BigInt(n) * spec.lotSizeMinor);
// A narrow price band, so orders cross often and levels hold several orders.
const prices = fc.integer({ min: 95, max: 105 }).map((n) => BigInt(n) * spec.tickSizeMinor * 10n);

const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: rawOrder().map((raw) => ({ kind: "order" as const, raw })) },
  { weight: 2, arbitrary: fc.nat(50).map((pick) => ({ kind: "cancel" as const, pick })) },
);

interface RawOrder {
  side: "buy" | "sell";
  type: "limit" | "market";
  price: bigint;
  quantity: bigint;
  budgetLots: number | undefined;
}

function rawOrder(): fc.Arbitrary<RawOrder> {
  return fc.record({
    side: fc.constantFrom("buy" as const, "sell" as const),
    type: fc.constantFrom("limit" as const, "limit" as const, "limit" as const, "market" as const),
    price: prices,
    quantity: lots,
    budgetLots: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
  });
}

function orderOf(raw: RawOrder, index: number): NewOrder {
  const base = {
    orderId: `o${index}`,
    trader: `t${index % 4}`,
    side: raw.side,
    quantity: raw.quantity,
  };
  if (raw.type === "limit") return { ...base, type: "limit", price: raw.price };
  if (raw.side === "buy" && raw.budgetLots !== undefined)
    return { ...base, type: "market", quoteBudget: BigInt(raw.budgetLots) * 1_000_000n };
  return { ...base, type: "market" };
}

function tradesOf(events: EngineEvent[]): ReferenceTrade[] {
  return events.flatMap((event) =>
    event.type === "TradeExecuted"
      ? [
          {
            price: event.price,
            quantity: event.quantity,
            quoteAmount: event.quoteAmount,
            buyOrderId: event.buyer.orderId,
            sellOrderId: event.seller.orderId,
          },
        ]
      : [],
  );
}

function unfilledOf(events: EngineEvent[]): bigint {
  for (const event of events) {
    if (event.type === "OrderRested") return event.remaining;
    if (event.type === "OrderCancelled") return event.remaining;
  }
  return 0n;
}

test("matches exactly as the reference book on random order streams", () => {
  fc.assert(
    fc.property(fc.array(commandArbitrary, { minLength: 1, maxLength: 200 }), (commands) => {
      const engine = new MatchingEngine(spec);
      const reference = new ReferenceBook(spec);
      const placed: string[] = [];
      commands.forEach((command, index) => {
        if (command.kind === "order") {
          const order = orderOf(command.raw, index);
          placed.push(order.orderId);
          const events = engine.place(order);
          const expected = reference.place(order);
          assert.equal(tradesOf(events), expected.trades);
          assert.is(unfilledOf(events), expected.unfilled);
          return;
        }
        const orderId = placed[command.pick % Math.max(placed.length, 1)] ?? "none";
        const [first, second] = engine.cancel(orderId);
        const expected = reference.cancel(orderId);
        if (expected === undefined) assert.is(first?.type, "CancelRejected");
        else assert.equal(second, { ...second, type: "OrderCancelled", remaining: expected });
      });
      const book = engine.restingOrders().map((o) => [o.orderId, o.price, o.remaining]);
      const expectedBook = reference.bookOrder().map((o) => [o.orderId, o.price, o.remaining]);
      assert.equal(book, expectedBook);
      assertDepthAgrees(engine);
    }),
    { numRuns: 300 },
  );
});

/** The depth view's totals are the sums of the resting orders, and the book never crosses. */
function assertDepthAgrees(engine: MatchingEngine): void {
  const depth = engine.depth();
  const orders = engine.restingOrders();
  for (const [side, levels] of [
    ["buy", depth.bids],
    ["sell", depth.asks],
  ] as const) {
    for (const level of levels) {
      const atLevel = orders.filter((o) => o.side === side && o.price === level.price);
      assert.is(
        level.quantity,
        atLevel.reduce((sum, o) => sum + o.remaining, 0n),
      );
      assert.is(level.orders, atLevel.length);
    }
  }
  const bestBid = depth.bids[0]?.price;
  const bestAsk = depth.asks[0]?.price;
  if (bestBid !== undefined && bestAsk !== undefined) assert.ok(bestBid < bestAsk, "book crossed");
}

test("fills the best price first, then the oldest order at that price", () => {
  const engine = new MatchingEngine(spec);
  const at = (n: bigint) => n * 1_000_000n;
  engine.place(limit("a", "s1", "sell", at(101n), 100_000n));
  engine.place(limit("b", "s2", "sell", at(100n), 100_000n));
  engine.place(limit("c", "s3", "sell", at(100n), 100_000n));
  const events = engine.place(limit("d", "b1", "buy", at(102n), 300_000n));
  const trades = events.filter((event) => event.type === "TradeExecuted");
  assert.equal(
    trades.map((t) => [t.seller.orderId, t.price, t.quoteAmount]),
    [
      ["b", at(100n), 100_000n],
      ["c", at(100n), 100_000n],
      ["a", at(101n), 101_000n],
    ],
  );
  // The buyer's limit was 102: it pays the makers' prices, never its own.
  assert.ok(trades.every((t) => t.takerSide === "buy" && t.buyer.orderId === "d"));
  assert.equal(engine.depth(), { bids: [], asks: [] });
});

test("a market order never rests and a budget stops a market buy", () => {
  const engine = new MatchingEngine(spec);
  engine.place(limit("a", "s", "sell", 100_000_000n, 300_000n));
  const events = engine.place({
    orderId: "m",
    trader: "b",
    side: "buy",
    type: "market",
    quantity: 500_000n,
    quoteBudget: 250_000n,
  });
  assert.equal(
    events.filter((e) => e.type === "TradeExecuted").map((t) => t.quantity),
    [200_000n],
  );
  assert.equal(events.at(-1), {
    type: "OrderCancelled",
    orderId: "m",
    trader: "b",
    side: "buy",
    price: undefined,
    remaining: 300_000n,
    reason: "unfilled",
  });
  assert.is(engine.restingOrder("m"), undefined);
  assert.equal(engine.depth().asks, [{ price: 100_000_000n, quantity: 100_000n, orders: 1 }]);
});

test("cancel-all empties the book and says what each order had left", () => {
  const engine = new MatchingEngine(spec);
  engine.place(limit("a", "s", "sell", 101_000_000n, 100_000n));
  engine.place(limit("b", "b", "buy", 99_000_000n, 200_000n));
  const cancels = engine.cancelAll().filter((e) => e.type === "OrderCancelled");
  assert.equal(
    cancels.map((c) => [c.orderId, c.remaining, c.reason]),
    [
      ["a", 100_000n, "cancel-all"],
      ["b", 200_000n, "cancel-all"],
    ],
  );
  assert.equal(engine.depth(), { bids: [], asks: [] });
});

test.run();
