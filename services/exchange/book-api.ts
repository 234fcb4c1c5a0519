/**
 * @module `GET /v1/book/{symbol}`: the symbol's price levels as its sequencer holds them after
 * the last commit, with that seq. Answered by the replica that sequences the symbol; another
 * answers 503 with Retry-After.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { problemResponses } from "../kit/problem-schema";
import { bookSchema, symbolSchema } from "./api-schemas";
import type { ExchangeContext } from "./exchange-context";
import { asExchangeProblem, unknownSymbol } from "./problems";
import { NotLeaderError } from "./sequencer/sequencer";

const bookRoute = createRoute({
  method: "get",
  path: "/v1/book/{symbol}",
  summary: "The order book: price levels best first, up to depth per side",
  request: {
    params: z.object({ symbol: symbolSchema.openapi({ param: { name: "symbol", in: "path" } }) }),
    query: z.object({ depth: z.coerce.number().int().min(1).max(1000).default(50) }),
  },
  responses: {
    200: { description: "The book", content: { "application/json": { schema: bookSchema } } },
    ...problemResponses(400, 404, 422, 503),
  },
});

export function mountBookApi(app: ServiceApp, context: ExchangeContext): void {
  app.openapi(bookRoute, async function getBook(c) {
    const { symbol } = c.req.valid("param");
    const { depth } = c.req.valid("query");
    const sequencer = context.markets.sequencer(symbol);
    if (sequencer === undefined) throw unknownSymbol(symbol);
    const engine = sequencer.engine();
    const seq = sequencer.lastSeq();
    if (engine === undefined || seq === undefined)
      throw asExchangeProblem(new NotLeaderError(symbol));
    const view = engine.depth(depth);
    const level = (l: { price: bigint; quantity: bigint; orders: number }) => ({
      price: l.price.toString(),
      quantity: l.quantity.toString(),
      orders: l.orders,
    });
    return c.json(
      { symbol, seq: seq.toString(), bids: view.bids.map(level), asks: view.asks.map(level) },
      200,
    );
  });
}
