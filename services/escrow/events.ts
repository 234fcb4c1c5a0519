/**
 * @module The domain events escrow publishes through the kit's outbox to Kafka, keyed by
 * transaction id so one transaction's events stay in order. Both parties are notified from
 * these (a dispute's decision names buyer and seller).
 */
import type { Tx } from "../kit/db";
import { enqueueEvent } from "../kit/outbox";

/** The Kafka topic of escrow's domain events (environments/topics.ts). */
export const escrowEventsTopic = "escrow.events";

export type EscrowEventType =
  | "transaction.created"
  | "transaction.funds_held"
  | "transaction.contract_signed"
  | "transaction.disputed"
  | "transaction.released"
  | "transaction.refunded"
  | "transaction.cancelled"
  | "credentials.revealed"
  | "dispute.opened"
  | "dispute.escalated"
  | "dispute.decided"
  | "payout.settled"
  | "payout.failed"
  | "payout.manual_review";

/** Queue one event in the caller's transaction; amounts travel as strings. */
export function publishEscrowEvent(
  tx: Tx,
  type: EscrowEventType,
  transactionId: string,
  data: Record<string, unknown>,
): string {
  return enqueueEvent(
    tx,
    escrowEventsTopic,
    transactionId,
    { type, occurredAt: new Date().toISOString(), data },
    { type },
  );
}
