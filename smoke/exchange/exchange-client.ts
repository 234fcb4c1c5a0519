/**
 * @module The smoke's HTTP client of the trading core: traders' tokens from the sandbox's
 * identity provider, the book and orders at the replica that sequences the symbol (the others
 * answer book reads 503 `exchange/sequencer-unavailable` and forward orders to it), every
 * answer appended to a log.
 */

import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import type { GateOptions } from "./gate-options";
import { type SequencingReplica, sequencingReplica } from "./sequencing-replica";

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface PlacedOrder {
  readonly orderId: string;
  readonly status: string;
  readonly filled: string;
  readonly quantity: string;
}

/** Every scope a trader needs to place and read its orders. */
const traderScopes = ["orders:write", "orders:read", "accounts:read"];

export class ExchangeClient {
  readonly #tokens = new Map<string, string>();

  constructor(
    private readonly options: GateOptions,
    private readonly logPath: string,
  ) {}

  async #request(url: string, method: string, body?: unknown, bearer?: string): Promise<Answer> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.stepTimeoutMs),
    });
    const text = await response.text();
    appendFileSync(
      this.logPath,
      `${new Date().toISOString()} ${method} ${url} ${response.status} ${text}\n`,
    );
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed };
  }

  /** A trader's access token, issued once per run by the sandbox's identity provider. */
  async token(trader: string): Promise<string> {
    const known = this.#tokens.get(trader);
    if (known) return known;
    const issued = await this.#request(
      `${this.options.sandboxUrl}/tokens`,
      "POST",
      { service: "exchange", subject: trader, scopes: traderScopes },
      this.options.sandboxToken,
    );
    if (issued.status !== 200)
      throw new Error(
        `the sandbox issued no token for ${trader}: ${issued.status} ${JSON.stringify(issued.body)}`,
      );
    const token = String(issued.body.token);
    this.#tokens.set(trader, token);
    return token;
  }

  /** The replica that sequences the symbol, and its book (best levels first). */
  async sequencer(): Promise<SequencingReplica> {
    const { exchangeUrls, symbol, buyer, stepTimeoutMs } = this.options;
    const found = await sequencingReplica(
      exchangeUrls,
      symbol,
      await this.token(buyer),
      stepTimeoutMs,
    );
    appendFileSync(
      this.logPath,
      `${new Date().toISOString()} ${symbol} sequenced by ${found.url} ${JSON.stringify(found.book)}\n`,
    );
    return found;
  }

  /** A limit order of `trader`; the core answers 201 with it once matched. */
  async placeLimit(
    url: string,
    trader: string,
    side: "buy" | "sell",
    price: bigint,
    quantity: bigint,
  ): Promise<PlacedOrder> {
    const answer = await this.#request(
      `${url}/v1/orders`,
      "POST",
      {
        clientOrderId: `smoke-g0-${randomUUID()}`,
        symbol: this.options.symbol,
        side,
        type: "limit",
        price: price.toString(),
        quantity: quantity.toString(),
      },
      await this.token(trader),
    );
    if (answer.status !== 201)
      throw new Error(
        `${side} order of ${trader} answered ${answer.status}: ${answer.body.type ?? ""} ${answer.body.detail ?? JSON.stringify(answer.body)}`,
      );
    return answer.body as unknown as PlacedOrder;
  }

  async order(url: string, trader: string, orderId: string): Promise<PlacedOrder> {
    const answer = await this.#request(
      `${url}/v1/orders/${orderId}`,
      "GET",
      undefined,
      await this.token(trader),
    );
    if (answer.status !== 200) throw new Error(`GET order ${orderId} answered ${answer.status}`);
    return answer.body as unknown as PlacedOrder;
  }

  /** Cancel what a failed run left resting, so it cannot match a later run's orders. */
  async cancel(url: string, trader: string, orderId: string): Promise<void> {
    await this.#request(
      `${url}/v1/orders/${orderId}`,
      "DELETE",
      undefined,
      await this.token(trader),
    ).catch(() => undefined);
  }
}
