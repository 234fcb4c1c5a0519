/**
 * @module The webhook retries queue for on call: `GET /v1/webhooks/events?status=failed` lists
 * the stored PSP deliveries (the admin token, or a person RBAC grants `list` on
 * webhooks.payments.breakwater.dev), and `POST /admin/v1/webhooks/events/{id}/replay` (the
 * WebhookReplay control's action) re-processes a stored event with exactly the bytes the PSP
 * sent. The request's reference (the control's uid) names the run: a repeat answers the first.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { actorOf, adminAccess } from "../kit/admin-access";
import type { ServiceApp } from "../kit/app-env";
import { appendAudit } from "../kit/audit";
import { adminTokens } from "../kit/config";
import { withTransaction } from "../kit/db";
import { oneShotRequestSchema } from "../kit/one-shot-request";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import type { PaymentsContext } from "./payments-context";
import { paymentsAccessGroup } from "./payouts-api";
import { paymentsProblems } from "./problems";
import {
  listWebhookEvents,
  type ReplayRequest,
  replayRun,
  type WebhookAttempt,
  webhookEvent,
  webhookEventStatuses,
} from "./webhook-events";
import { processWebhookEvent } from "./webhook-processing";

const security = [{ adminBearer: [] }];

const eventSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(["deposit"]),
    reference: z.string(),
    status: z.enum(webhookEventStatuses),
    attempts: z.int(),
    lastError: z.string().nullable(),
    payload: z.string().openapi({ description: "The body exactly as the PSP signed it." }),
    receivedAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WebhookEvent");

const listQuery = z.object({
  status: z.enum(webhookEventStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/webhooks/events",
  summary:
    "Stored PSP webhook events, oldest first, optionally by status (the admin token, or a person RBAC grants `list` on webhooks)",
  security,
  request: { query: listQuery },
  responses: {
    200: {
      description: "One page",
      content: {
        "application/json": {
          schema: z.object({
            events: z.array(eventSchema),
            total: z.int(),
            limit: z.int(),
            offset: z.int(),
          }),
        },
      },
    },
    ...problemResponses(401, 403, 422, 503),
  },
});

const replayResult = z
  .object({
    eventId: z.uuid(),
    reference: z.string(),
    outcome: z.enum(["succeeded", "failed"]),
    error: z.string().nullable(),
    attempt: z.int().openapi({ description: "The attempt this run was." }),
    attempts: z.int().openapi({ description: "The event's attempts so far." }),
    eventStatus: z.enum(webhookEventStatuses),
    finishedAt: z.string(),
    repeated: z.boolean().openapi({ description: "Whether this answers an earlier run." }),
  })
  .openapi("WebhookReplayResult");

const replayRoute = createRoute({
  method: "post",
  path: "/admin/v1/webhooks/events/{id}/replay",
  summary: "Re-process a stored webhook event with its original payload (admin token)",
  security,
  request: {
    params: z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) }),
    body: { content: { "application/json": { schema: oneShotRequestSchema } }, required: true },
  },
  responses: {
    200: {
      description: "Ran (or ran before under this reference): succeeded or failed, as recorded",
      content: { "application/json": { schema: replayResult } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 422, 503),
  },
});

export function mountWebhookEventsApi(app: ServiceApp, context: PaymentsContext): void {
  const { pool, controls, config } = context.service;
  app.use(
    "/v1/webhooks/events",
    adminAccess({
      reviewer: context.service.identity,
      serviceToken: adminTokens(config),
      access: () => ({
        group: paymentsAccessGroup,
        resource: "webhooks",
        verb: "list",
        namespace: config.ADMIN_IDENTITY_NAMESPACE,
      }),
    }),
  );

  app.openapi(listRoute, async function listEvents(c) {
    const { status, limit, offset } = c.req.valid("query");
    const page = await listWebhookEvents(context.service.readPool(), status, limit, offset);
    return c.json({ ...page, limit, offset }, 200);
  });

  async function answerOf(run: WebhookAttempt, reference: string, repeated: boolean) {
    const event = await webhookEvent(pool, run.eventId);
    return {
      eventId: run.eventId,
      reference,
      outcome: run.outcome,
      error: run.error,
      attempt: run.attempt,
      attempts: event?.attempts ?? run.attempt,
      eventStatus: event?.status ?? "failed",
      finishedAt: run.at,
      repeated,
    };
  }

  app.openapi(replayRoute, async function replayEvent(c) {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const earlier = await replayRun(pool, body.reference);
    if (earlier !== undefined && earlier.eventId !== id) {
      throw problem({
        type: paymentsProblems.webhookReplayConflict,
        title: "The reference names a replay of another event",
        status: 409,
        detail: `reference: ${body.reference} already replayed webhook event ${earlier.eventId}`,
        extensions: { field: "reference" },
      });
    }
    if (earlier !== undefined) return c.json(await answerOf(earlier, body.reference, true), 200);
    const event = await webhookEvent(pool, id);
    if (event === undefined) {
      throw problem({
        type: paymentsProblems.webhookEventNotFound,
        title: "Webhook event not found",
        status: 404,
        detail: `no stored webhook event ${id}`,
      });
    }
    const person = c.var.adminActor?.kind === "person";
    const replay: ReplayRequest = {
      reference: body.reference,
      actor: person ? actorOf(c) : body.actor,
    };
    let failure: unknown;
    try {
      await processWebhookEvent(
        { pool, controls, attempts: context.metrics.webhookAttempts },
        id,
        event.raw,
        replay,
      );
    } catch (error) {
      failure = error;
    }
    // The recorded run is the answer (a refusal included, and a concurrent repeat's record);
    // an outage leaves none, and is answered 503 so the run is asked again.
    const run = await replayRun(pool, body.reference);
    if (run === undefined) throw failure ?? new Error(`replay ${body.reference} left no record`);
    await withTransaction(pool, (tx) =>
      appendAudit(tx, {
        actor: replay.actor,
        action: "webhook.replay",
        subject: `webhook-events:${id}`,
        reason: body.reason,
        ticket: body.ticket,
        before: { status: event.status, attempts: event.attempts },
        after: { outcome: run.outcome, attempt: run.attempt, error: run.error },
      }),
    );
    c.var.logger.info(
      { eventId: id, reference: event.reference, outcome: run.outcome, actor: replay.actor },
      "webhook event replayed",
    );
    return c.json(await answerOf(run, body.reference, false), 200);
  });
}
