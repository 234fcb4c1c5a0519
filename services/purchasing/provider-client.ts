/**
 * @module Talking to one provider. The provider API: `POST <url>/orders` with
 * `{reference, item, amount, currency}` and `Idempotency-Key: <purchase id>` places an order
 * (a repeat of the key answers the same order), and `GET <url>/orders/<reference>` tells what
 * became of one. How answers are read:
 *
 * - 2xx `{"status":"completed","id":...}`: bought.
 * - 4xx other than 408 and 429: a decline (item unknown, sold out...): the provider works,
 *   so it does not count against its breaker; the router tries the next provider.
 * - 408, 429, 5xx, a refused or dropped connection, a body it cannot read: a
 *   {@link ProviderFault}, counted by the breaker; the provider did not take the order.
 * - No answer within the timeout: a {@link ProviderTimeout}, also counted, but the order may
 *   exist, so the purchase stays pending on that provider until reconciliation asks.
 */

/** What the provider said about an order. */
export type OrderAnswer =
  | { readonly status: "completed"; readonly orderId: string }
  | { readonly status: "declined"; readonly detail: string }
  | { readonly status: "not_found" };

/** The provider misbehaved (429, 5xx, unreachable, unreadable): counts against its breaker. */
export class ProviderFault extends Error {
  constructor(
    readonly provider: string,
    message: string,
  ) {
    super(`${provider}: ${message}`);
    this.name = "ProviderFault";
  }
}

/** The provider did not answer in time; the order may or may not exist. */
export class ProviderTimeout extends ProviderFault {
  constructor(provider: string, timeoutMs: number) {
    super(provider, `no answer within ${timeoutMs} ms`);
    this.name = "ProviderTimeout";
  }
}

export interface OrderRequest {
  /** The purchase id: the provider's idempotency key and the order's reference. */
  readonly reference: string;
  readonly item: string;
  readonly amount: string;
  readonly currency: string;
}

export interface ProviderTarget {
  readonly name: string;
  readonly url: string;
  readonly timeoutMs: number;
}

/** Place an order (a repeat of the reference answers the same order). */
export function placeOrder(target: ProviderTarget, order: OrderRequest): Promise<OrderAnswer> {
  return exchange(target, `${target.url}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": order.reference },
    body: JSON.stringify(order),
  });
}

/** Ask what became of the order with this reference. */
export function fetchOrder(target: ProviderTarget, reference: string): Promise<OrderAnswer> {
  return exchange(target, `${target.url}/orders/${encodeURIComponent(reference)}`, {
    method: "GET",
  });
}

async function exchange(
  target: ProviderTarget,
  url: string,
  init: RequestInit,
): Promise<OrderAnswer> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(target.timeoutMs) });
    text = await response.text();
  } catch (error) {
    const name = (error as Error).name;
    if (name === "TimeoutError" || name === "AbortError") {
      throw new ProviderTimeout(target.name, target.timeoutMs);
    }
    throw new ProviderFault(target.name, `unreachable (${causeOf(error)})`);
  }
  return readAnswer(target.name, response.status, text);
}

/** Read a provider's answer; exported for the unit test of every case. */
export function readAnswer(provider: string, status: number, text: string): OrderAnswer {
  if (status === 404) return { status: "not_found" };
  if (status === 408 || status === 429 || status >= 500) {
    throw new ProviderFault(provider, `answered ${status}`);
  }
  if (status >= 400) return { status: "declined", detail: `${status} ${text.slice(0, 200)}` };
  const body = parse(text) as { status?: unknown; id?: unknown } | undefined;
  if (body?.status === "completed" && typeof body.id === "string" && body.id !== "") {
    return { status: "completed", orderId: body.id };
  }
  if (body?.status === "failed" || body?.status === "declined") {
    return { status: "declined", detail: `${status} ${text.slice(0, 200)}` };
  }
  throw new ProviderFault(provider, `answered ${status} with a body it does not understand`);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
