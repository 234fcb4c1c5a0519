/** @module `POST /v1/transfers`: move money between two internal accounts, idempotently. */
import { createRoute } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { callerAuth, callerOf } from "../kit/caller-auth";
import {
  answerInTransaction,
  idempotencyKeyOf,
  requireIdempotencyKey,
  storeIdempotentJson,
} from "../kit/idempotency";
import { parseAmount } from "../kit/ledger/amount";
import { problemResponses } from "../kit/problem-schema";
import {
  bearerSecurity,
  paymentsScopes,
  refusePlatformAccount,
  requireAccountRight,
} from "./account-access";
import { transferCreateSchema, transferSchema } from "./api-schemas";
import type { PaymentsContext } from "./payments-context";
import { asProblem } from "./problems";
import { createTransfer, type Transfer } from "./transfers";

const createTransferRoute = createRoute({
  method: "post",
  path: "/v1/transfers",
  summary: "Transfer from an account of the caller's to another; requires Idempotency-Key",
  security: bearerSecurity(paymentsScopes.transfersWrite),
  middleware: [requireIdempotencyKey(), answerInTransaction()] as const,
  request: {
    body: { content: { "application/json": { schema: transferCreateSchema } }, required: true },
  },
  responses: {
    201: {
      description: "Transferred",
      content: { "application/json": { schema: transferSchema } },
    },
    ...problemResponses(400, 401, 403, 409, 422, 503),
  },
});

export function mountTransfersApi(app: ServiceApp, context: PaymentsContext): void {
  const { pool, controls } = context.service;
  app.on(
    "POST",
    "/v1/transfers",
    callerAuth(context.verifier, { scope: paymentsScopes.transfersWrite }),
  );
  app.openapi(createTransferRoute, async (c) => {
    const body = c.req.valid("json");
    requireAccountRight(callerOf(c), body.source, "source");
    refusePlatformAccount(body.target, "target");
    // Money moves only on a replica that holds its controls (fail closed).
    controls.requireAvailable();
    // The key is also the ledger reference: the money moves once even if the kit's record of
    // the answer were lost.
    const input = { ...body, amount: parseAmount(body.amount), reference: idempotencyKeyOf(c) };
    let stored: ReturnType<typeof storeIdempotentJson<Transfer, 201>> | undefined;
    const transfer = await asProblem(() =>
      createTransfer(pool, input, async (tx, created) => {
        // The answer commits with the money, so a repeat can never miss it.
        stored = storeIdempotentJson(c, tx, created, 201);
      }),
    );
    return stored ?? c.json(transfer, 201);
  });
}
