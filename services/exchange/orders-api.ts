/**
 * @module `POST /v1/orders`, `DELETE /v1/orders/{id}`, `GET /v1/orders/{id}`: order entry
 * through the symbol's sequencer, under the symbol's mode and throttle. The client order id makes a
 * repeat answer the first order instead of placing another.
 */
import { randomUUID } from "node:crypto";
import { createRoute, z } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { bearerSecurity, callerAuth, callerOf } from "../kit/caller-auth";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import { orderCreateSchema, orderSchema } from "./api-schemas";
import type { SymbolSpec } from "./engine/symbol-spec";
import type { NewOrder } from "./engine/types";
import { type ExchangeContext, exchangeScopes } from "./exchange-context";
import { holdOf } from "./holds";
import { findByClientOrderId, findOrder, type OrderRecord } from "./order-records";
import {
  asExchangeProblem,
  exchangeProblems,
  invalidOrder,
  orderNotFound,
  unknownSymbol,
} from "./problems";
import { requireCancel, requireOrderEntry } from "./symbol-mode-gate";
import { traderHeader, traderOfRequest } from "./trader";

const orderResponse = { content: { "application/json": { schema: orderSchema } } };
const orderIdParam = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" } }),
});

const placeRoute = createRoute({
  method: "post",
  path: "/v1/orders",
  summary: "Place a limit or market order (the same clientOrderId again answers the same order)",
  security: bearerSecurity(exchangeScopes.ordersWrite),
  request: {
    body: { content: { "application/json": { schema: orderCreateSchema } }, required: true },
  },
  responses: {
    201: { description: "Accepted and matched", ...orderResponse },
    200: { description: "Placed before under this clientOrderId", ...orderResponse },
    ...problemResponses(400, 401, 403, 404, 409, 422, 423, 429, 503),
  },
});

const cancelRoute = createRoute({
  method: "delete",
  path: "/v1/orders/{id}",
  summary: "Cancel an open order and release what it holds",
  security: bearerSecurity(exchangeScopes.ordersWrite),
  request: { params: orderIdParam },
  responses: {
    200: { description: "Cancelled", ...orderResponse },
    ...problemResponses(400, 401, 403, 404, 409, 422, 423, 503),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/orders/{id}",
  summary: "One of your orders",
  security: bearerSecurity(exchangeScopes.ordersRead),
  request: { params: orderIdParam },
  responses: {
    200: { description: "The order", ...orderResponse },
    ...problemResponses(400, 401, 403, 404, 422, 503),
  },
});

/** The engine order for a request body, or 404/422 naming what does not fit the symbol. */
function engineOrder(
  spec: SymbolSpec | undefined,
  trader: string,
  body: z.infer<typeof orderCreateSchema>,
): NewOrder {
  if (spec === undefined) throw unknownSymbol(body.symbol);
  const quantity = BigInt(body.quantity);
  if (quantity <= 0n || quantity % spec.lotSizeMinor !== 0n)
    throw invalidOrder(
      "quantity",
      `quantity must be a positive multiple of the lot size ${spec.lotSizeMinor}`,
    );
  const base = { orderId: randomUUID(), trader, side: body.side, quantity };
  if (body.type === "market") {
    if (body.price !== undefined) throw invalidOrder("price", "a market order has no price");
    if (body.side === "sell") return { ...base, type: "market" };
    if (body.quoteBudget === undefined || BigInt(body.quoteBudget) <= 0n)
      throw invalidOrder(
        "quoteBudget",
        "a market buy needs a positive quoteBudget (what it may spend)",
      );
    return { ...base, type: "market", quoteBudget: BigInt(body.quoteBudget) };
  }
  if (body.price === undefined) throw invalidOrder("price", "a limit order needs a price");
  const price = BigInt(body.price);
  if (price <= 0n || price % spec.tickSizeMinor !== 0n)
    throw invalidOrder(
      "price",
      `price must be a positive multiple of the tick size ${spec.tickSizeMinor}`,
    );
  return { ...base, type: "limit", price };
}

async function ownOrder(
  context: ExchangeContext,
  trader: string,
  orderId: string,
): Promise<OrderRecord> {
  const order = await findOrder(context.service.pool, orderId);
  if (order === undefined || order.trader !== trader) throw orderNotFound(orderId);
  return order;
}

export function mountOrdersApi(app: ServiceApp, context: ExchangeContext): void {
  const { verifier, markets, specs } = context;
  const { controls, pool } = context.service;
  app.on(["POST"], "/v1/orders", callerAuth(verifier, { scope: exchangeScopes.ordersWrite }));
  app.on(["DELETE"], "/v1/orders/:id", callerAuth(verifier, { scope: exchangeScopes.ordersWrite }));
  app.on(["GET"], "/v1/orders/:id", callerAuth(verifier, { scope: exchangeScopes.ordersRead }));

  app.openapi(placeRoute, async function placeOrder(c) {
    const body = c.req.valid("json");
    const trader = traderOfRequest(callerOf(c), c.req.header(traderHeader));
    const earlier = await findByClientOrderId(pool, trader, body.clientOrderId);
    if (earlier !== undefined) return c.json(earlier, 200);
    const spec = specs.get(body.symbol);
    const order = engineOrder(spec, trader, body);
    requireOrderEntry(controls, body.symbol);
    const sequencing = markets.sequencer(body.symbol)?.isLeader() ?? false;
    await context.orderThrottle.admit(body.symbol, sequencing);
    const intent = {
      order,
      clientOrderId: body.clientOrderId,
      symbol: body.symbol,
      held: holdOf(spec as SymbolSpec, order),
    };
    try {
      await markets.place(intent);
    } catch (error) {
      // A concurrent repeat of the same clientOrderId lost the race: answer the winner.
      const winner = await findByClientOrderId(pool, trader, body.clientOrderId);
      if (winner !== undefined) return c.json(winner, 200);
      throw asExchangeProblem(error);
    }
    return c.json((await findOrder(pool, order.orderId)) as OrderRecord, 201);
  });

  app.openapi(cancelRoute, async function cancelOrder(c) {
    const { id } = c.req.valid("param");
    const trader = traderOfRequest(callerOf(c), c.req.header(traderHeader));
    const order = await ownOrder(context, trader, id);
    requireCancel(controls, order.symbol);
    if (order.status !== "open") throw notOpen(order);
    const sequencer = markets.sequencer(order.symbol);
    if (sequencer === undefined) throw unknownSymbol(order.symbol);
    const result = await sequencer.submit({ type: "cancel", orderId: id }).catch((error) => {
      throw asExchangeProblem(error);
    });
    const after = (await findOrder(pool, id)) as OrderRecord;
    if (result.events[0]?.event.type === "CancelRejected") throw notOpen(after);
    return c.json(after, 200);
  });

  app.openapi(getRoute, async function getOrder(c) {
    const { id } = c.req.valid("param");
    return c.json(
      await ownOrder(context, traderOfRequest(callerOf(c), c.req.header(traderHeader)), id),
      200,
    );
  });
}

function notOpen(order: OrderRecord) {
  return problem({
    type: exchangeProblems.orderNotOpen,
    title: "The order is no longer open",
    status: 409,
    detail: `order ${order.orderId} is ${order.status}`,
    extensions: { status: order.status },
  });
}
