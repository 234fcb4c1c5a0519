/**
 * @module The domain events payments publishes through the outbox to Kafka, one topic keyed
 * by what the event is about (a transfer, a payout, a deposit reference), so the events of
 * one payout stay in order.
 */
import type { Tx } from "../kit/db";
import { enqueueEvent } from "../kit/outbox";

/** The Kafka topic of payments' domain events. */
export const paymentsEventsTopic = "payments.events";

export type PaymentsEventType =
  | "transfer.completed"
  | "deposit.received"
  | "payout.requested"
  | "payout.settled"
  | "payout.refunded"
  | "payout.manual_review";

/** Queue one event in the caller's transaction; amounts travel as strings. */
export function publishEvent(
  tx: Tx,
  type: PaymentsEventType,
  key: string,
  data: Record<string, unknown>,
): string {
  return enqueueEvent(
    tx,
    paymentsEventsTopic,
    key,
    { type, occurredAt: new Date().toISOString(), data },
    { type },
  );
}
