/**
 * @module The transactional outbox: a domain event is a row written in the same transaction
 * as the change it announces, so the event exists exactly when the change does. The relay
 * (`outbox-relay.ts`) publishes it to Kafka later.
 */
import { randomUUID } from "node:crypto";
import type { Tx } from "./db";

/** Topic of control changes (contract with the operator). */
export const controlEventsTopic = "breakwater.control-events";

/**
 * Queue an event for `topic`, ordered with the other events of the same `key`. Returns the
 * event id, which travels in the Kafka header `event-id` for idempotent consumers.
 *
 * @example await enqueueEvent(tx, "payments.transfers", transferId, { type: "transfer.created", ... });
 */
export async function enqueueEvent(
  tx: Tx,
  topic: string,
  key: string,
  payload: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<string> {
  const eventId = randomUUID();
  // Prepared once per connection: this runs in every transaction that announces something.
  await tx.query({
    name: "kit-outbox-enqueue",
    text: "INSERT INTO outbox (event_id, topic, key, payload, headers) VALUES ($1, $2, $3, $4, $5)",
    values: [eventId, topic, key, JSON.stringify(payload ?? null), JSON.stringify(headers)],
  });
  return eventId;
}
