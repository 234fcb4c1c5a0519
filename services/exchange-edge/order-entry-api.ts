/**
 * @module `POST /v1/orders` at the edge: a request signed with an API key (see
 * request-signature.ts) is checked (request-auth.ts) and forwarded, body unchanged, to the
 * trading core's `POST /v1/orders` at EXCHANGE_ORDERS_URL, naming the key's trader in
 * `X-Exchange-Trader` and passing `Idempotency-Key` on; the core's answer is returned as it
 * came. A core that cannot be reached is a 503: nothing is retried here, a client retries
 * with its idempotency key.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { parseJsonBody } from "../kit/input-problems";
import { problem } from "../kit/problem";
import { problemContent, problemResponses } from "../kit/problem-schema";
import type { EdgeAuthMetrics } from "./edge-auth-metrics";
import type { createRequestAuth } from "./request-auth";

export interface OrderEntryOptions {
  readonly auth: ReturnType<typeof createRequestAuth>;
  readonly metrics: EdgeAuthMetrics;
  readonly ordersUrl: string;
  readonly ordersToken?: string;
  readonly timeoutMs: number;
}

// Optional here so that a missing one is refused (and counted) as authentication, with 401.
const signedHeaders = z.object({
  "x-api-key": z.string().optional().openapi({ description: "The API key id, bwk_…" }),
  "x-timestamp": z
    .string()
    .optional()
    .openapi({ description: "Unix milliseconds; within the window of the edge's clock" }),
  "x-nonce": z
    .string()
    .optional()
    .openapi({ description: "8-64 of A-Z a-z 0-9 _ -, never reused with a key" }),
  "x-signature": z.string().optional().openapi({
    description:
      "Hex HMAC-SHA256 of METHOD\\npath\\ntimestamp\\nnonce\\nbody under the key's secret",
  }),
});

const orderRoute = createRoute({
  method: "post",
  path: "/v1/orders",
  summary: "Place an order, signed with an API key; forwarded to the trading core",
  request: {
    headers: signedHeaders,
    body: {
      required: true,
      content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
    },
  },
  responses: {
    200: {
      description: "The core's answer (a repeat of an idempotent request)",
      content: { "application/json": { schema: z.unknown() } },
    },
    201: {
      description: "The core's answer: the order accepted",
      content: { "application/json": { schema: z.unknown() } },
    },
    409: { description: "The core's refusal", content: problemContent },
    423: { description: "The core's refusal: a symbol mode in force", content: problemContent },
    ...problemResponses(401, 422, 429, 503),
  },
});

export function mountOrderEntryApi(app: ServiceApp, options: OrderEntryOptions): void {
  app.openapi(orderRoute, async (c) => {
    const body = await c.req.text();
    parseJsonBody(body);
    const url = new URL(c.req.url);
    const key = await options.auth.verify({
      method: c.req.method,
      path: `${url.pathname}${url.search}`,
      body,
      header: (name) => c.req.header(name),
    });
    await options.auth.admit(key);
    const answer = await forward(options, body, key.trader, c.req.header("idempotency-key"));
    return new Response(answer.body, {
      status: answer.status,
      headers: { "content-type": answer.contentType },
    }) as never;
  });
}

async function forward(
  options: OrderEntryOptions,
  body: string,
  trader: string,
  idempotencyKey?: string,
) {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-exchange-trader": trader,
  };
  if (options.ordersToken) headers.authorization = `Bearer ${options.ordersToken}`;
  if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
  let response: Response;
  try {
    response = await fetch(options.ordersUrl, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch {
    options.metrics.forwarded.inc({ status: "unreachable" });
    throw problem({
      type: "orders/core-unavailable",
      title: "The trading core is unavailable",
      status: 503,
      detail:
        "the order was not confirmed by the trading core; retry with the same Idempotency-Key",
      headers: { "retry-after": "1" },
    });
  }
  options.metrics.forwarded.inc({ status: String(response.status) });
  return {
    status: response.status,
    body: await response.text(),
    contentType: response.headers.get("content-type") ?? "application/json",
  };
}
