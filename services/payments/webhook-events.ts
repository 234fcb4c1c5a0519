/**
 * @module The PSP's webhook deliveries and every attempt to process them (the handbook's
 * "retries queue"). An event is one signed payload for one reference, stored byte for byte at
 * receipt; the PSP resending it is another attempt of the same event. A replay re-processes
 * the stored bytes, never a payload someone supplies, so an old reference can only ever be
 * credited with what the PSP signed.
 */
import { createHash } from "node:crypto";
import type { Pool } from "../kit/db";

export const webhookEventStatuses = ["received", "succeeded", "failed"] as const;
export type WebhookEventStatus = (typeof webhookEventStatuses)[number];

/** A stored event as the admin API lists it (the payload is shown as the PSP sent it). */
export interface WebhookEvent {
  readonly id: string;
  readonly kind: "deposit";
  readonly reference: string;
  readonly status: WebhookEventStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly payload: string;
  readonly receivedAt: string;
  readonly updatedAt: string;
}

/** One processing attempt's outcome, as recorded. */
export interface WebhookAttempt {
  readonly eventId: string;
  readonly attempt: number;
  readonly source: "delivery" | "replay";
  readonly outcome: "succeeded" | "failed";
  readonly error: string | null;
  readonly at: string;
}

/** Who asked for a replay, and the reference that names the run (a repeat answers it). */
export interface ReplayRequest {
  readonly reference: string;
  readonly actor: string;
}

/** An attempt to record: its source, and for a replay with a definite outcome its run's name. */
export interface AttemptRecord {
  readonly source: "delivery" | "replay";
  readonly outcome: "succeeded" | "failed";
  readonly error?: string;
  readonly replay?: ReplayRequest;
}

interface EventRow {
  id: string;
  kind: "deposit";
  reference: string;
  status: WebhookEventStatus;
  attempts: number;
  last_error: string | null;
  payload: Buffer;
  received_at: Date;
  updated_at: Date;
}

const eventColumns =
  "id, kind, reference, status, attempts, last_error, payload, received_at, updated_at";

function eventOf(row: EventRow): WebhookEvent {
  return {
    id: row.id,
    kind: row.kind,
    reference: row.reference,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    payload: row.payload.toString("utf8"),
    receivedAt: row.received_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * Store a verified delivery and return its event id: a delivery of bytes already stored for
 * the reference is the same event (the PSP retrying); other bytes are another event.
 */
export async function receiveWebhookEvent(
  pool: Pool,
  kind: "deposit",
  reference: string,
  raw: Uint8Array,
): Promise<string> {
  const payloadSha256 = createHash("sha256").update(raw).digest("hex");
  const stored = await pool.query<{ id: string }>(
    `INSERT INTO webhook_events (kind, reference, payload_sha256, payload)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (kind, reference, payload_sha256) DO UPDATE SET updated_at = now()
     RETURNING id`,
    [kind, reference, payloadSha256, Buffer.from(raw)],
  );
  return stored.rows[0]!.id;
}

/**
 * Record one attempt and fold it into the event: a success makes it `succeeded` for good, a
 * failure makes a not yet succeeded event `failed` with the error. Returns the attempt.
 */
export async function recordWebhookAttempt(
  pool: Pool,
  eventId: string,
  record: AttemptRecord,
): Promise<WebhookAttempt> {
  const result = await pool.query<{ attempt: number; at: Date }>(
    `WITH bumped AS (
       UPDATE webhook_events
          SET attempts = attempts + 1,
              status = CASE WHEN status = 'succeeded' THEN 'succeeded' ELSE $2 END,
              last_error = CASE WHEN $2 = 'succeeded' THEN last_error ELSE $3 END,
              updated_at = now()
        WHERE id = $1
       RETURNING attempts)
     INSERT INTO webhook_attempts (event_id, attempt, source, outcome, error, replay_reference, actor)
     SELECT $1, attempts, $4, $2, $3, $5, $6 FROM bumped
     RETURNING attempt, at`,
    [
      eventId,
      record.outcome,
      record.error ?? null,
      record.source,
      record.replay?.reference ?? null,
      record.replay?.actor ?? null,
    ],
  );
  const row = result.rows[0]!;
  return {
    eventId,
    attempt: row.attempt,
    source: record.source,
    outcome: record.outcome,
    error: record.error ?? null,
    at: row.at.toISOString(),
  };
}

/** The stored event with its original bytes, or undefined for an unknown id. */
export async function webhookEvent(
  pool: Pool,
  id: string,
): Promise<(WebhookEvent & { readonly raw: Uint8Array }) | undefined> {
  const found = await pool.query<EventRow>(
    `SELECT ${eventColumns} FROM webhook_events WHERE id = $1`,
    [id],
  );
  const row = found.rows[0];
  return row === undefined ? undefined : { ...eventOf(row), raw: new Uint8Array(row.payload) };
}

/** The attempt a replay run named `reference` recorded, if it ran. */
export async function replayRun(
  pool: Pool,
  reference: string,
): Promise<WebhookAttempt | undefined> {
  const found = await pool.query<{
    event_id: string;
    attempt: number;
    outcome: "succeeded" | "failed";
    error: string | null;
    at: Date;
  }>(
    `SELECT event_id, attempt, outcome, error, at FROM webhook_attempts WHERE replay_reference = $1`,
    [reference],
  );
  const row = found.rows[0];
  if (row === undefined) return undefined;
  return {
    eventId: row.event_id,
    attempt: row.attempt,
    source: "replay",
    outcome: row.outcome,
    error: row.error,
    at: row.at.toISOString(),
  };
}

/** One page of events, oldest first, optionally of one status, with the total. */
export async function listWebhookEvents(
  pool: Pool,
  status: WebhookEventStatus | undefined,
  limit: number,
  offset: number,
): Promise<{ events: WebhookEvent[]; total: number }> {
  const [page, count] = await Promise.all([
    pool.query<EventRow>(
      `SELECT ${eventColumns} FROM webhook_events
        WHERE $1::text IS NULL OR status = $1
        ORDER BY received_at, id LIMIT $2 OFFSET $3`,
      [status ?? null, limit, offset],
    ),
    pool.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM webhook_events WHERE $1::text IS NULL OR status = $1`,
      [status ?? null],
    ),
  ]);
  return { events: page.rows.map(eventOf), total: count.rows[0]!.total };
}
