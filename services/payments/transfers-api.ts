/** @module `POST /v1/transfers`: move money between two internal accounts, idempotently. */
import { createRoute } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { parseAmount } from "./amount";
import { problemResponses, transferCreateSchema, transferSchema } from "./api-schemas";
import { idempotencyReference } from "./idempotency-reference";
import type { PaymentsContext } from "./payments-context";
import { asProblem } from "./problems";
import { createTransfer } from "./transfers";

const createTransferRoute = createRoute({
  method: "post",
  path: "/v1/transfers",
  summary: "Transfer between accounts; requires Idempotency-Key",
  request: {
    body: { content: { "application/json": { schema: transferCreateSchema } }, required: true },
  },
  responses: {
    201: {
      description: "Transferred",
      content: { "application/json": { schema: transferSchema } },
    },
    ...problemResponses(400, 409, 422, 503),
  },
});

export function mountTransfersApi(app: ServiceApp, context: PaymentsContext): void {
  const { pool, controls } = context.service;
  app.openapi(createTransferRoute, async (c) => {
    const body = c.req.valid("json");
    const reference = idempotencyReference(c);
    // Money moves only on a replica that holds its controls (fail closed).
    controls.requireAvailable();
    const transfer = await asProblem(() =>
      createTransfer(pool, { ...body, amount: parseAmount(body.amount), reference }),
    );
    return c.json(transfer, 201);
  });
}
