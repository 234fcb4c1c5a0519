/**
 * @module The exchange's demo traders as the exchange drills use them: their tokens from the
 * sandbox's identity provider, orders, cancels and withdrawals at any replica (each replica
 * forwards orders to the one that sequences the symbol), and what every replica answers.
 */
import { randomUUID } from "node:crypto";
import type { Answer, PlatformClient } from "./platform-client";

/** What a demo trader may do in a drill: trade, read its orders, withdraw. */
const traderScopes = ["orders:write", "orders:read", "withdrawals:write"];

/** One lot of each local symbol, in base minor units (`services/exchange/symbols.ts`). */
const lots: Readonly<Record<string, string>> = { "BTC-USD": "100000", "ETH-USD": "10000000" };

/**
 * A buy of one lot at 10.00 USD, a multiple of every local symbol's tick and far below any
 * seller, so it rests on the book and never matches (it holds one cent).
 */
export function restingBuy(symbol: string): OrderRequest {
  const quantity = lots[symbol];
  if (quantity === undefined) throw new Error(`no lot size for ${symbol}`);
  return { symbol, side: "buy", price: "1000", quantity };
}

export interface OrderRequest {
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly price: string;
  readonly quantity: string;
}

/** Calls of the demo traders on the platform's exchange replicas. */
export function exchangeTraders(platform: PlatformClient) {
  const tokens = new Map<string, string>();

  async function token(trader: string): Promise<string> {
    const cached = tokens.get(trader);
    if (cached) return cached;
    const answer = await platform.sandbox("POST", "/tokens", {
      service: "exchange",
      subject: trader,
      scopes: traderScopes,
    });
    if (answer.status !== 200) throw new Error(`sandbox token for ${trader}: ${answer.status}`);
    tokens.set(trader, answer.body.token);
    return answer.body.token as string;
  }

  async function call(
    url: string,
    trader: string,
    method: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${await token(trader)}`,
        "content-type": "application/json",
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
  }

  return {
    replicas: () => platform.replicas("exchange"),
    /** A limit order of `trader` sent to the replica at `url`. */
    order: (url: string, trader: string, order: OrderRequest) =>
      call(`${url}/v1/orders`, trader, "POST", {
        clientOrderId: `drill-${randomUUID()}`,
        type: "limit",
        ...order,
      }),
    cancel: (url: string, trader: string, orderId: string) =>
      call(`${url}/v1/orders/${orderId}`, trader, "DELETE"),
    /** A withdrawal of 1 minor unit of `asset` from `trader`'s available balance. */
    withdraw: (url: string, trader: string, asset: string) =>
      call(
        `${url}/v1/withdrawals`,
        trader,
        "POST",
        { asset, amount: "1" },
        {
          "idempotency-key": randomUUID(),
        },
      ),
  };
}

export type ExchangeTraders = ReturnType<typeof exchangeTraders>;

/**
 * `ask` on every exchange replica; a detail ("2/2 replicas answer 423 exchange/soft-halt,
 * naming …") when each answered `status`, else false.
 */
export async function everyExchangeReplica(
  traders: ExchangeTraders,
  status: number,
  ask: (url: string) => Promise<Answer>,
): Promise<string | false> {
  const answers = await Promise.all(traders.replicas().map(ask));
  if (!answers.every((answer) => answer.status === status)) return false;
  const first = answers[0]!.body;
  const type = status >= 400 ? ` ${String(first?.type).replace(/^.*\/problems\//, "")}` : "";
  const named = first?.control ? `, naming ${first.control} (${first.ticket})` : "";
  return `${answers.length}/${answers.length} replicas answer ${status}${type}${named}`;
}

/** Every replica takes a new resting order of `trader` on `symbol` (each cancelled at once). */
export function ordersTaken(
  traders: ExchangeTraders,
  trader: string,
  symbol: string,
): Promise<string | false> {
  return everyExchangeReplica(traders, 201, async (url) => {
    const answer = await traders.order(url, trader, restingBuy(symbol));
    if (answer.status === 201) await traders.cancel(url, trader, answer.body.orderId);
    return answer;
  });
}
