/**
 * @module `POST /v1/purchases` (Idempotency-Key required), `GET /v1/purchases/{id}` and
 * `POST /v1/purchases/{id}/cancel`. A purchase answers 201 when a provider completed it,
 * 202 while it is pending (a provider timed out; reconciliation finishes it), and 502
 * `purchases/failed` when no provider took it (its funds are released).
 */
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv, ServiceApp } from "../kit/app-env";
import { bearerSecurity, callerAuth, callerOf } from "../kit/caller-auth";
import { idempotencyKeyOf, requireIdempotencyKey } from "../kit/idempotency";
import { mayActForAccount, requireAccountRightFor } from "../kit/ledger/account-access";
import { parseAmount } from "../kit/ledger/amount";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import { purchaseCreateSchema, purchaseSchema, uuidParam } from "./api-schemas";
import { asProblem, purchasingProblems } from "./problems";
import { makePurchase } from "./purchase-flow";
import { getPurchase, type Purchase } from "./purchases";
import { type PurchasingContext, purchasingScopes } from "./purchasing-context";
import { resolvePending } from "./reconciliation";

const purchaseContent = { "application/json": { schema: purchaseSchema } };

const createPurchaseRoute = createRoute({
  method: "post",
  path: "/v1/purchases",
  summary:
    "Buy an item from the best available provider, paid from a wallet; requires Idempotency-Key",
  security: bearerSecurity(purchasingScopes.purchasesWrite),
  middleware: [requireIdempotencyKey()] as const,
  request: {
    body: { content: { "application/json": { schema: purchaseCreateSchema } }, required: true },
  },
  responses: {
    201: { description: "Completed by a provider", content: purchaseContent },
    202: { description: "Pending: a provider did not answer in time", content: purchaseContent },
    ...problemResponses(400, 401, 403, 409, 422, 502, 503),
  },
});

const getPurchaseRoute = createRoute({
  method: "get",
  path: "/v1/purchases/{id}",
  summary: "A purchase and its status (another caller's is 404; the admin token reads any)",
  security: [...bearerSecurity(purchasingScopes.purchasesRead), { adminBearer: [] }],
  request: { params: uuidParam },
  responses: {
    200: { description: "The purchase", content: purchaseContent },
    ...problemResponses(401, 403, 404, 422),
  },
});

const cancelPurchaseRoute = createRoute({
  method: "post",
  path: "/v1/purchases/{id}/cancel",
  summary:
    "Cancel a pending purchase: its provider is asked first; funds are released unless it completed",
  security: bearerSecurity(purchasingScopes.purchasesWrite),
  request: { params: uuidParam },
  responses: {
    200: { description: "Cancelled, funds released", content: purchaseContent },
    ...problemResponses(401, 403, 404, 409, 503),
  },
});

/** The answer for a purchase as it stands: 201, 202, or the 502 problem of a failed one. */
function answerPurchase(c: Context<AppEnv>, purchase: Purchase) {
  if (purchase.status === "completed") return c.json(purchase, 201);
  if (purchase.status === "pending") return c.json(purchase, 202);
  throw problem({
    type: purchasingProblems.purchaseFailed,
    title: "The purchase failed",
    status: 502,
    detail: `${purchase.failureReason ?? purchase.status}; the funds were released`,
    extensions: { purchase: purchase.id, status: purchase.status, attempts: purchase.attempts },
  });
}

export function mountPurchasesApi(app: ServiceApp, context: PurchasingContext): void {
  const { config } = context.service;
  const { verifier, flow } = context;
  const write = callerAuth(verifier, { scope: purchasingScopes.purchasesWrite });
  app.on("POST", "/v1/purchases", write);
  app.on("POST", "/v1/purchases/:id/cancel", write);
  app.on(
    "GET",
    "/v1/purchases/:id",
    callerAuth(verifier, { scope: purchasingScopes.purchasesRead, adminToken: config.ADMIN_TOKEN }),
  );

  app.openapi(createPurchaseRoute, async (c) => {
    const body = c.req.valid("json");
    requireAccountRightFor(callerOf(c), body.account, "account", purchasingScopes.onBehalf);
    const purchase = await asProblem(() =>
      makePurchase(flow, {
        ...body,
        amount: parseAmount(body.amount),
        reference: idempotencyKeyOf(c),
      }),
    );
    return answerPurchase(c, purchase);
  });

  app.openapi(getPurchaseRoute, async (c) => {
    const purchase = await ownPurchase(context, c.req.valid("param").id, callerOf(c));
    return c.json(purchase, 200);
  });

  app.openapi(cancelPurchaseRoute, async (c) => {
    const { id } = c.req.valid("param");
    await ownPurchase(context, id, callerOf(c));
    const action = await resolvePending(flow, id, "cancelled");
    const purchase = (await getPurchase(flow.pool, id))!;
    if (action === "released") return c.json(purchase, 200);
    if (action === "locked") {
      throw problem({
        type: purchasingProblems.purchaseBusy,
        title: "The purchase is being worked on",
        status: 409,
        detail: "another request holds this purchase; retry shortly",
        headers: { "retry-after": "1" },
      });
    }
    if (action === "unresolved") {
      throw problem({
        type: purchasingProblems.cancelUndecided,
        title: "The provider could not be asked",
        status: 503,
        detail: `${purchase.provider} did not answer whether it holds the order; nothing was released`,
        headers: { "retry-after": "5" },
      });
    }
    throw problem({
      type: purchasingProblems.alreadyFinished,
      title: "The purchase is no longer pending",
      status: 409,
      detail: `purchase ${id} is ${purchase.status}`,
      extensions: { status: purchase.status },
    });
  });
}

/** The purchase if `caller` may see it; another caller's purchase is as absent as an unknown one. */
async function ownPurchase(
  context: PurchasingContext,
  id: string,
  caller: ReturnType<typeof callerOf>,
): Promise<Purchase> {
  const purchase = await getPurchase(context.flow.pool, id);
  const visible =
    purchase !== undefined &&
    (caller.admin || mayActForAccount(caller, purchase.account, purchasingScopes.onBehalf));
  if (!visible) {
    throw problem({
      type: purchasingProblems.purchaseNotFound,
      title: "Purchase not found",
      status: 404,
      detail: `no purchase ${id}`,
    });
  }
  return purchase;
}
