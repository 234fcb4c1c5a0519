/**
 * @module The parked outbox events on-call looks at and re-queues (`/admin/v1/outbox/parked`),
 * behind the admin token. A re-queue clears the event's delivery failures, makes it due now
 * and writes an `outbox.requeue` audit row in the same transaction; the key's later events
 * follow it in order once it is published.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ServiceApp } from "./app-env";
import { appendAudit } from "./audit";
import { type Pool, withTransaction } from "./db";
import { kitProblems, problem } from "./problem";
import { problemContent } from "./problem-schema";

const parkedEventSchema = z
  .object({
    id: z.string().openapi({ description: "The outbox row id." }),
    eventId: z.string(),
    topic: z.string(),
    key: z.string(),
    deliveryFailures: z.number().int(),
    retryCount: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    parkedAt: z.string(),
    waitingBehind: z
      .number()
      .int()
      .openapi({ description: "Later events of the same key held behind it." }),
  })
  .openapi("ParkedOutboxEvent");

const requeueBodySchema = z
  .object({
    actor: z.string().min(1).max(200),
    reason: z.string().min(1).max(2000),
    ticket: z.string().min(1).max(100),
  })
  .openapi("OutboxRequeue");

const idParam = z.object({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/)
    .openapi({ param: { name: "id", in: "path" }, description: "The outbox row id." }),
});

const limitQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(100)
    .openapi({ param: { name: "limit", in: "query" } }),
});

const security = [{ adminBearer: [] }];

interface ParkedRow {
  id: string;
  event_id: string;
  topic: string;
  key: string;
  delivery_failures: number;
  retry_count: number;
  last_error: string | null;
  created_at: Date;
  parked_at: Date;
  waiting_behind: string;
}

const parkedColumns = `o.id, o.event_id, o.topic, o.key, o.delivery_failures, o.retry_count,
  o.last_error, o.created_at, o.parked_at,
  (SELECT count(*) FROM outbox b WHERE b.published_at IS NULL AND b.topic = o.topic
     AND b.key = o.key AND b.id > o.id) AS waiting_behind`;

function parkedEvent(row: ParkedRow): z.infer<typeof parkedEventSchema> {
  return {
    id: row.id,
    eventId: row.event_id,
    topic: row.topic,
    key: row.key,
    deliveryFailures: row.delivery_failures,
    retryCount: row.retry_count,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    parkedAt: row.parked_at.toISOString(),
    waitingBehind: Number(row.waiting_behind),
  };
}

/** Mount the parked-events routes (the admin token is checked for `/admin/v1/*` already). */
export function mountOutboxParkedApi(app: ServiceApp, pool: Pool): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/v1/outbox/parked",
      security,
      request: { query: limitQuery },
      responses: {
        200: {
          description: "Parked events, oldest first",
          content: {
            "application/json": { schema: z.object({ events: z.array(parkedEventSchema) }) },
          },
        },
        401: { description: "Missing or wrong admin token", content: problemContent },
      },
    }),
    async function listParked(c) {
      const { limit } = c.req.valid("query");
      const result = await pool.query<ParkedRow>(
        `SELECT ${parkedColumns} FROM outbox o
          WHERE o.parked_at IS NOT NULL AND o.published_at IS NULL ORDER BY o.id LIMIT $1`,
        [limit],
      );
      return c.json({ events: result.rows.map(parkedEvent) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/v1/outbox/parked/{id}/requeue",
      security,
      request: {
        params: idParam,
        body: { required: true, content: { "application/json": { schema: requeueBodySchema } } },
      },
      responses: {
        200: {
          description: "Re-queued: due now, its delivery failures cleared; as it was when parked",
          content: { "application/json": { schema: z.object({ requeued: parkedEventSchema }) } },
        },
        401: { description: "Missing or wrong admin token", content: problemContent },
        404: { description: "No parked event with this id", content: problemContent },
        422: { description: "Invalid body", content: problemContent },
      },
    }),
    async function requeueParked(c) {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const requeued = await withTransaction(pool, async (tx) => {
        const found = await tx.query<ParkedRow>(
          `SELECT ${parkedColumns} FROM outbox o
            WHERE o.id = $1 AND o.parked_at IS NOT NULL AND o.published_at IS NULL FOR UPDATE`,
          [id],
        );
        const row = found.rows[0];
        if (row === undefined) return undefined;
        await tx.query(
          `UPDATE outbox SET parked_at = NULL, delivery_failures = 0, next_attempt_at = now()
            WHERE id = $1`,
          [id],
        );
        const before = parkedEvent(row);
        await appendAudit(tx, {
          actor: body.actor,
          action: "outbox.requeue",
          subject: `outbox:${id}`,
          reason: body.reason,
          ticket: body.ticket,
          before,
          after: { ...before, parkedAt: null, deliveryFailures: 0 },
        });
        return before;
      });
      if (requeued === undefined) {
        throw problem({
          type: kitProblems.outboxNotParked,
          title: "No such parked event",
          status: 404,
          detail: `outbox row ${id} is not parked (published, re-queued already, or never existed)`,
        });
      }
      c.var.logger.info(
        { outboxId: id, eventId: requeued.eventId },
        "parked outbox event re-queued",
      );
      return c.json({ requeued }, 200);
    },
  );
}
