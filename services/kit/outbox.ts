/**
 * @module The transactional outbox: a domain event is a row written in the same transaction
 * as the change it announces, so the event exists exactly when the change does. The relay
 * (`outbox-relay.ts`) publishes it to Kafka later.
 */
import { randomUUID } from "node:crypto";
import { queueEvent } from "./commit-writes";
import type { Tx } from "./db";
import { flowHeaders } from "./flow";

/** Topic of control changes (contract with the operator). */
export const controlEventsTopic = "breakwater.control-events";

/**
 * Queue an event for `topic`, ordered with the other events of the same `key`, in `tx` (from
 * `withTransaction`): its row is written with the transaction's last statement before COMMIT
 * (`commit-writes.ts`). Returns the event id, which travels in the Kafka header `event-id`
 * for idempotent consumers. The event also carries the flow and trace context it was queued in
 * (`flow-id`, `traceparent`, `baggage`: `flow.ts`), so its consumers continue the same flow.
 *
 * @example enqueueEvent(tx, "payments.transfers", transferId, { type: "transfer.created", ... });
 */
export function enqueueEvent(
  tx: Tx,
  topic: string,
  key: string,
  payload: unknown,
  headers: Readonly<Record<string, string>> = {},
): string {
  const eventId = randomUUID();
  queueEvent(tx, { eventId, topic, key, payload, headers: { ...flowHeaders(), ...headers } });
  return eventId;
}
