/**
 * @module `POST /api/cron/reconcile` with `Authorization: Bearer $CRON_SECRET` (exactly as
 * the runbook writes it): run reconciliation of stuck reservations now and answer what it
 * did. The secret is compared in constant time; anything else is 401.
 */
import { createRoute } from "@hono/zod-openapi";
import { adminAuth } from "../kit/admin-auth";
import type { ServiceApp } from "../kit/app-env";
import { problemResponses } from "../kit/problem-schema";
import { reconcileReportSchema } from "./api-schemas";
import type { PurchasingContext } from "./purchasing-context";
import { reconcileStuck } from "./reconciliation";

const reconcileRoute = createRoute({
  method: "post",
  path: "/api/cron/reconcile",
  summary: "Resolve stuck reservations now (Bearer $CRON_SECRET)",
  security: [{ cronBearer: [] }],
  responses: {
    200: {
      description: "What the run did",
      content: { "application/json": { schema: reconcileReportSchema } },
    },
    ...problemResponses(401, 503),
  },
});

export function mountCronApi(app: ServiceApp, context: PurchasingContext): void {
  const { config } = context.service;
  app.openAPIRegistry.registerComponent("securitySchemes", "cronBearer", {
    type: "http",
    scheme: "bearer",
    description: "The scheduler's shared secret, CRON_SECRET",
  });
  app.post(
    "/api/cron/reconcile",
    adminAuth(config.CRON_SECRET, { realm: "cron", secretName: "$CRON_SECRET" }),
  );
  app.openapi(reconcileRoute, async (c) => {
    const report = await reconcileStuck(context.flow, config.RECONCILE_BATCH_SIZE);
    c.var.logger.info(report, "reconciliation forced through /api/cron/reconcile");
    return c.json(report, 200);
  });
}
