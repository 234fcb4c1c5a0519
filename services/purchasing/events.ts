/**
 * @module The domain events purchasing publishes through the kit's outbox to Kafka, keyed by
 * purchase id so one purchase's events stay in order.
 */
import type { Tx } from "../kit/db";
import { enqueueEvent } from "../kit/outbox";

/** The Kafka topic of purchasing's domain events. */
export const purchasingEventsTopic = "purchasing.events";

export type PurchasingEventType =
  | "purchase.reserved"
  | "purchase.completed"
  | "purchase.failed"
  | "purchase.cancelled";

/** Queue one event in the caller's transaction. */
export function publishPurchaseEvent(
  tx: Tx,
  type: PurchasingEventType,
  purchaseId: string,
  data: Record<string, unknown>,
): string {
  return enqueueEvent(
    tx,
    purchasingEventsTopic,
    purchaseId,
    { type, occurredAt: new Date().toISOString(), data },
    { type },
  );
}
