/**
 * @module The "HTTP vs straight to the engine" part of the exchange benchmark: one replica on
 * real PostgreSQL and Redis; the same kind of crossing limit orders placed through
 * `POST /v1/orders` and straight into the symbol's sequencer (holds, log and outbox included,
 * no HTTP), with the same number in flight. The ratio is what the API costs. The same orders
 * again through a second replica, which forwards them to the sequencer, say what a hop costs.
 */
import { randomUUID } from "node:crypto";
import type { Side } from "../../services/exchange/engine/types";
import { holdOf } from "../../services/exchange/holds";
import { exchangeMarkets } from "../../services/exchange/index";
import {
  call,
  deposit,
  eventually,
  placeOrder,
  startExchangeFixture,
} from "../exchange/exchange-fixture";
import { btcUsd } from "../exchange/symbols";

const inFlight = 16;
const traders = ["bench-a", "bench-b", "bench-c", "bench-d"];

/** The n-th order: buys and sells around 50,000 USD that cross about half the time. */
function nth(n: number): { trader: string; side: Side; price: bigint } {
  const side: Side = n % 2 === 0 ? "buy" : "sell";
  const price = (5_000n + BigInt((n * 7) % 11) - 5n) * btcUsd.tickSizeMinor;
  return { trader: traders[n % traders.length] as string, side, price };
}

async function rate(count: number, place: (n: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let n = next++; n < count; n = next++) await place(n);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

export async function benchApiAgainstEngine(count: number) {
  const fixture = await startExchangeFixture();
  try {
    const replica = await fixture.startReplica({ LOG_LEVEL: "error" });
    await eventually("the replica to sequence BTC-USD", async () =>
      (await call(replica.url, "GET", "/v1/book/BTC-USD")).status === 200 ? true : undefined,
    );
    for (const trader of traders) {
      await deposit(replica.url, trader, "USD", "9000000000000");
      await deposit(replica.url, trader, "BTC", "9000000000000");
    }
    const markets = exchangeMarkets(replica.context);
    const direct = await rate(count, async (n) => {
      const { trader, side, price } = nth(n);
      const order = {
        orderId: randomUUID(),
        trader,
        side,
        type: "limit" as const,
        price,
        quantity: btcUsd.lotSizeMinor,
      };
      await markets.place({
        order,
        clientOrderId: `direct-${n}`,
        symbol: "BTC-USD",
        held: holdOf(btcUsd, order),
      });
    });
    const through = (url: string) => async (n: number) => {
      const { trader, side, price } = nth(n);
      const answer = await placeOrder(url, trader, {
        side,
        price: price.toString(),
        quantity: btcUsd.lotSizeMinor.toString(),
      });
      if (answer.status !== 201)
        throw new Error(`order ${n}: ${answer.status} ${JSON.stringify(answer.body)}`);
    };
    const api = await rate(count, through(replica.url));
    const other = await fixture.startReplica({ LOG_LEVEL: "error" });
    const forwarded = await rate(count, through(other.url));
    return {
      apiPerSecond: api,
      directPerSecond: direct,
      ratio: api / direct,
      forwardedPerSecond: forwarded,
    };
  } finally {
    await fixture.stop();
  }
}
