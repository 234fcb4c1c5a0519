/**
 * @module The kit's own rows of a transaction (its outbox events and the idempotent answer
 * of the request that made it) are queued while the transaction runs and written just before
 * COMMIT, the answer in the same statement as the last event. A transfer then costs one round
 * trip for its event and its stored answer together instead of one each; both still commit
 * or roll back with the change, and an event's id is known when it is queued.
 */
import { beforeCommit, type Tx, transactionState } from "./db";

/** An outbox row: payload and headers as JSON text. */
export interface QueuedEvent {
  readonly eventId: string;
  readonly topic: string;
  readonly key: string;
  readonly payload: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** A completed idempotency row: the answer to replay for (scope, key). */
export interface QueuedAnswer {
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
  readonly status: number;
  /** Response headers as JSON text. */
  readonly headers: string;
  readonly body: Buffer;
  /** Thrown (rolling the transaction back) when the key already has an answer. */
  readonly taken: () => Error;
}

interface Queued {
  readonly events: QueuedEvent[];
  answer?: QueuedAnswer;
}

const owner = Symbol("commit-writes");

function queuedFor(tx: Tx): Queued {
  return transactionState(tx, owner, () => {
    const queued: Queued = { events: [] };
    beforeCommit(tx, () => write(tx, queued));
    return queued;
  });
}

/** Queue an outbox event; `tx` must come from `withTransaction`. */
export function queueEvent(tx: Tx, event: QueuedEvent): void {
  queuedFor(tx).events.push(event);
}

/** Queue the answer to store with this transaction; one per transaction. */
export function queueAnswer(tx: Tx, answer: QueuedAnswer): void {
  const queued = queuedFor(tx);
  if (queued.answer !== undefined) throw new Error("a transaction stores one idempotent answer");
  queued.answer = answer;
}

const insertEvent = `
  INSERT INTO outbox (event_id, topic, key, payload, headers) VALUES ($1, $2, $3, $4, $5)`;

/** Store a completed answer unless (scope, key) has one; `rowCount` 0 means it had. */
export const insertAnswerSql = `
  INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until, response_status,
                                response_headers, response_body, completed_at)
  VALUES ($1, $2, $3, 'completed', now(), $4, $5, $6, now())
  ON CONFLICT DO NOTHING`;

// The last event and the answer in one statement: the answer adds no round trip of its own.
const insertEventAndAnswer = `
  WITH event AS (${insertEvent} RETURNING 1),
       answer AS (
         INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until,
                                       response_status, response_headers, response_body,
                                       completed_at)
         VALUES ($6, $7, $8, 'completed', now(), $9, $10, $11, now())
         ON CONFLICT DO NOTHING RETURNING 1)
  SELECT (SELECT count(*) FROM answer)::int AS answers`;

/** One statement per event, as cheap as a lone INSERT; the answer rides with the last one. */
async function write(tx: Tx, queued: Queued): Promise<void> {
  const { events, answer } = queued;
  const eventValues = (event: QueuedEvent) => [
    event.eventId,
    event.topic,
    event.key,
    JSON.stringify(event.payload ?? null),
    JSON.stringify(event.headers),
  ];
  const answerValues = (answer: QueuedAnswer) => [
    answer.scope,
    answer.key,
    answer.requestHash,
    answer.status,
    answer.headers,
    answer.body,
  ];
  const last = answer === undefined ? undefined : events.at(-1);
  for (const event of last === undefined ? events : events.slice(0, -1)) {
    await tx.query({ name: "kit-outbox-insert", text: insertEvent, values: eventValues(event) });
  }
  if (answer === undefined) return;
  const answered =
    last === undefined
      ? (
          await tx.query({
            name: "kit-idempotency-insert-answer",
            text: insertAnswerSql,
            values: answerValues(answer),
          })
        ).rowCount
      : (
          await tx.query<{ answers: number }>({
            name: "kit-outbox-insert-with-answer",
            text: insertEventAndAnswer,
            values: [...eventValues(last), ...answerValues(answer)],
          })
        ).rows[0]!.answers;
  if (answered !== 1) throw answer.taken();
}
