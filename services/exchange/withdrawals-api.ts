/**
 * @module `POST /v1/withdrawals`: a trader's available balance back to `exchange:external`,
 * refused while a WithdrawalHalt covers the exchange and the asset (the runbook's first action
 * in 3.1 and 3.6). The Idempotency-Key is the withdrawal's reference, so a retry never pays
 * twice.
 */
import { createRoute } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { bearerSecurity, callerAuth, callerOf } from "../kit/caller-auth";
import { withTransaction } from "../kit/db";
import { idempotencyKeyOf, requireIdempotencyKey } from "../kit/idempotency";
import { postTransaction } from "../kit/ledger/ledger";
import { problemResponses } from "../kit/problem-schema";
import { findWithdrawalHalt, withdrawalsHalted } from "../payments/withdrawal-halt";
import { withdrawalSchema } from "./api-schemas";
import { type ExchangeContext, exchangeScopes } from "./exchange-context";
import { availableAccount } from "./holds";
import { asExchangeProblem } from "./problems";
import { traderOf } from "./trader";

const withdrawRoute = createRoute({
  method: "post",
  path: "/v1/withdrawals",
  summary: "Withdraw from your available balance (Idempotency-Key required)",
  security: bearerSecurity(exchangeScopes.withdrawalsWrite),
  middleware: [requireIdempotencyKey()],
  request: {
    body: { content: { "application/json": { schema: withdrawalSchema } }, required: true },
  },
  responses: {
    201: {
      description: "Withdrawn",
      content: { "application/json": { schema: withdrawalSchema } },
    },
    ...problemResponses(400, 401, 403, 409, 422, 423, 503),
  },
});

export function mountWithdrawalsApi(app: ServiceApp, context: ExchangeContext): void {
  const { controls, pool, name } = context.service;
  app.on(
    ["POST"],
    "/v1/withdrawals",
    callerAuth(context.verifier, { scope: exchangeScopes.withdrawalsWrite }),
  );
  app.openapi(withdrawRoute, async function withdraw(c) {
    const body = c.req.valid("json");
    const trader = traderOf(callerOf(c));
    const halt = findWithdrawalHalt(controls, name, body.asset);
    if (halt) throw withdrawalsHalted(halt);
    await withTransaction(pool, (tx) =>
      postTransaction(tx, {
        kind: "exchange_withdrawal",
        reference: `exchange-withdrawal:${trader}:${idempotencyKeyOf(c)}`,
        postings: [
          {
            source: availableAccount(trader),
            target: "exchange:external",
            currency: body.asset,
            amount: BigInt(body.amount),
          },
        ],
        externalAllowed: ["exchange:external"],
      }),
    ).catch((error) => {
      throw asExchangeProblem(error);
    });
    return c.json(body, 201);
  });
}
