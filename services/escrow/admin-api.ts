/**
 * @module The super admin's force release and refund, as seed 004 writes them:
 * `POST /api/v1/admin/transactions/{id}/release` and `/refund` with `{"reason": "..."}`, for a
 * caller whose token carries `escrow:admin`. Both end in the same audited transition as the
 * buyer's confirmation and an EscrowResolution control; repeating one answers the
 * transaction as it is and moves nothing.
 */
import { createRoute } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { bearerSecurity, callerAuth, callerOf } from "../kit/caller-auth";
import { problemResponses } from "../kit/problem-schema";
import { idParam, reasonSchema, transactionSchema } from "./api-schemas";
import { type EscrowContext, escrowScopes } from "./escrow-context";
import { asProblem } from "./problems";
import { type Resolution, resolveTransaction } from "./resolution";

function adminRoute(decision: Resolution) {
  return createRoute({
    method: "post",
    path: `/api/v1/admin/transactions/{id}/${decision}`,
    summary:
      decision === "release"
        ? "Force release: held funds to the seller (super admin, audited; a repeat is harmless)"
        : "Force refund: held funds back to the buyer (super admin, audited; a repeat is harmless)",
    security: bearerSecurity(escrowScopes.admin),
    request: {
      params: idParam,
      body: { content: { "application/json": { schema: reasonSchema } }, required: true },
    },
    responses: {
      200: {
        description: "The transaction, resolved now or before",
        content: { "application/json": { schema: transactionSchema } },
      },
      ...problemResponses(401, 403, 404, 409, 422, 503),
    },
  });
}

export function mountAdminApi(app: ServiceApp, context: EscrowContext): void {
  const { pool } = context.service;
  app.use("/api/v1/admin/*", callerAuth(context.verifier, { scope: escrowScopes.admin }));
  for (const decision of ["release", "refund"] as const) {
    app.openapi(adminRoute(decision), async (c) => {
      const { id } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const actor = callerOf(c).subject;
      const result = await asProblem(() =>
        resolveTransaction(pool, id, decision, { actor, via: "admin", reason }),
      );
      if (result.changed) {
        context.metrics.adminActions.inc({ action: decision, via: "admin" });
        c.var.logger.warn({ transaction: id, decision, actor, reason }, "escrow admin action");
      }
      c.header("escrow-resolution", result.changed ? "applied" : "already-applied");
      return c.json(result.transaction, 200);
    });
  }
}
