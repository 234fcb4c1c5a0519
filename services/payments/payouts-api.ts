/**
 * @module The payouts API: `POST /v1/payouts` (reserve and queue; refused with 423 under a
 * WithdrawalHalt), `GET /v1/payouts/{id}`, and the admin-only manual review queue:
 * `GET /v1/payouts/manual-review?limit=50&offset=0` and `POST /v1/payouts/{id}/resolve`.
 * Resolving is a person's decision: their Kubernetes token is reviewed and RBAC must grant
 * `resolve` on `payouts.payments.breakwater.dev`; the audit records their name.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { actorOf, adminAccess } from "../kit/admin-access";
import type { ServiceApp } from "../kit/app-env";
import { callerAuth, callerOf } from "../kit/caller-auth";
import { adminTokens } from "../kit/config";
import {
  answerInTransaction,
  idempotencyKeyOf,
  requireIdempotencyKey,
  storeIdempotentJson,
} from "../kit/idempotency";
import { parseAmount } from "../kit/ledger/amount";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import { bearerSecurity, mayActFor, paymentsScopes, requireAccountRight } from "./account-access";
import {
  manualReviewPageSchema,
  manualReviewQuerySchema,
  payoutCreateSchema,
  payoutSchema,
  resolveSchema,
  uuidParam,
} from "./api-schemas";
import type { PaymentsContext } from "./payments-context";
import { resolvePayout } from "./payout-resolution";
import {
  countManualReview,
  createPayout,
  getPayout,
  listManualReview,
  type Payout,
} from "./payouts";
import { asProblem, paymentsProblems } from "./problems";
import { findWithdrawalHalt, withdrawalsHalted } from "./withdrawal-halt";

const adminSecurity = [{ adminBearer: [] }];

/** The RBAC group of payments' admin actions (a ClusterRole grants e.g. `resolve` on `payouts`). */
export const paymentsAccessGroup = "payments.breakwater.dev";

const createPayoutRoute = createRoute({
  method: "post",
  path: "/v1/payouts",
  summary:
    "Reserve funds of the caller's account and queue a payout to the PSP; requires Idempotency-Key",
  security: bearerSecurity(paymentsScopes.payoutsWrite),
  middleware: [requireIdempotencyKey(), answerInTransaction()] as const,
  request: {
    body: { content: { "application/json": { schema: payoutCreateSchema } }, required: true },
  },
  responses: {
    201: {
      description: "Reserved and queued",
      content: { "application/json": { schema: payoutSchema } },
    },
    ...problemResponses(400, 401, 403, 409, 422, 423, 429, 503),
  },
});

const manualReviewRoute = createRoute({
  method: "get",
  path: "/v1/payouts/manual-review",
  summary:
    "Payouts waiting for a human decision, oldest first (the admin token, or a person RBAC grants `list` on payouts/manual-review)",
  security: adminSecurity,
  request: { query: manualReviewQuerySchema },
  responses: {
    200: {
      description: "One page",
      content: { "application/json": { schema: manualReviewPageSchema } },
    },
    ...problemResponses(401, 403, 422, 503),
  },
});

const getPayoutRoute = createRoute({
  method: "get",
  path: "/v1/payouts/{id}",
  summary: "A payout and its status (another caller's payout is 404; the admin token reads any)",
  security: [...bearerSecurity(paymentsScopes.payoutsRead), { adminBearer: [] }],
  request: { params: z.object({ id: uuidParam("id") }) },
  responses: {
    200: { description: "The payout", content: { "application/json": { schema: payoutSchema } } },
    ...problemResponses(400, 401, 403, 404, 422, 503),
  },
});

const resolveRoute = createRoute({
  method: "post",
  path: "/v1/payouts/{id}/resolve",
  summary:
    "Decide a payout in manual review: confirm_sent settles, refund_failed refunds. A person only " +
    "(a Kubernetes token; RBAC must grant `resolve` on payouts.payments.breakwater.dev), audited under their name",
  security: adminSecurity,
  request: {
    params: z.object({ id: uuidParam("id") }),
    body: { content: { "application/json": { schema: resolveSchema } }, required: true },
  },
  responses: {
    200: { description: "Resolved", content: { "application/json": { schema: payoutSchema } } },
    ...problemResponses(401, 403, 404, 409, 422, 503),
  },
});

export function mountPayoutsApi(app: ServiceApp, context: PaymentsContext): void {
  const { pool, controls, config, name } = context.service;
  const namespace = config.ADMIN_IDENTITY_NAMESPACE;
  app.use(
    "/v1/payouts/manual-review",
    adminAccess({
      reviewer: context.service.identity,
      serviceToken: adminTokens(config),
      access: () => ({
        group: paymentsAccessGroup,
        resource: "payouts",
        subresource: "manual-review",
        verb: "list",
        namespace,
      }),
    }),
  );
  // No service token here: a decision that moves money is taken by a person, by name.
  app.use(
    "/v1/payouts/:id/resolve",
    adminAccess({
      reviewer: context.service.identity,
      access: (c) => ({
        group: paymentsAccessGroup,
        resource: "payouts",
        verb: "resolve",
        name: c.req.param("id"),
        namespace,
      }),
    }),
  );
  const { verifier } = context;
  app.on("POST", "/v1/payouts", callerAuth(verifier, { scope: paymentsScopes.payoutsWrite }));
  app.on(
    "GET",
    "/v1/payouts/:id{[0-9a-fA-F-]{36}}",
    callerAuth(verifier, { scope: paymentsScopes.payoutsRead, adminToken: adminTokens(config) }),
  );

  app.openapi(createPayoutRoute, async (c) => {
    const body = c.req.valid("json");
    requireAccountRight(callerOf(c), body.account, "account");
    const halt = findWithdrawalHalt(controls, name, body.currency);
    if (halt) throw withdrawalsHalted(halt);
    await context.payoutThrottle.admit(name, body.currency);
    // The key is also the payout's reference: one payout per key even without the kit's record.
    const input = { ...body, amount: parseAmount(body.amount), reference: idempotencyKeyOf(c) };
    let stored: ReturnType<typeof storeIdempotentJson<Payout, 201>> | undefined;
    const payout = await asProblem(() =>
      createPayout(pool, input, async (tx, created) => {
        stored = storeIdempotentJson(c, tx, created, 201);
      }),
    );
    return stored ?? c.json(payout, 201);
  });

  // Registered before /v1/payouts/{id} so that "manual-review" is never read as an id.
  app.openapi(manualReviewRoute, async (c) => {
    const { limit, offset } = c.req.valid("query");
    const page = await asProblem(() => listManualReview(context.service.readPool(), limit, offset));
    context.metrics.manualReviewQueueSize.set(page.total);
    return c.json({ ...page, limit, offset }, 200);
  });

  app.openapi(getPayoutRoute, async (c) => {
    const { id } = c.req.valid("param");
    const payout = await asProblem(() => getPayout(context.service.readPool(), id));
    const caller = callerOf(c);
    // Another caller's payout is as absent as an unknown one: ids are not disclosed.
    if (payout === undefined || !(caller.admin || mayActFor(caller, payout.account))) {
      throw problem({
        type: paymentsProblems.payoutNotFound,
        title: "Payout not found",
        status: 404,
        detail: `no payout ${id}`,
      });
    }
    return c.json(payout, 200);
  });

  app.openapi(resolveRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    controls.requireAvailable();
    const actor = actorOf(c);
    const payout = await asProblem(() => resolvePayout(pool, { id, ...body, actor }));
    context.metrics.manualReviewTransitions.inc({ action: body.decision });
    context.metrics.manualReviewQueueSize.set(await countManualReview(pool).catch(() => 0));
    c.var.logger.info(
      { payout: id, decision: body.decision, actor },
      "payout resolved from manual review",
    );
    return c.json(payout, 200);
  });
}
