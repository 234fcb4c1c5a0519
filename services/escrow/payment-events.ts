/**
 * @module The provider's webhook deliveries, stored in `payment_events` once each and
 * applied in the same database transaction: `charge.success` holds the buyer's payment
 * (pending_payment → funds_held), `transfer.success` / `transfer.failed` / `transfer.reversed`
 * finish a seller payout. A delivery repeated with the same payload is a replay and gets the
 * stored outcome; the same (event, reference) with another payload is drift, refused, because
 * acting on either version could be wrong.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "../kit/canonical-json";
import { type Pool, type Tx, withTransaction } from "../kit/db";
import { postHold } from "./escrow-money";
import { finishPayout, lockPayout } from "./payouts";
import {
  type EscrowTransaction,
  moveTransaction,
  type TransactionRow,
  toTransaction,
  transactionColumns,
} from "./transactions";

const minorUnits = z.union([
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  z.string().regex(/^[1-9][0-9]{0,18}$/),
]);

/** What escrow reads of a delivery; the whole payload is stored as sent. */
export const paymentEventSchema = z.object({
  event: z.string().min(1).max(100),
  data: z
    .object({
      reference: z.string().min(1).max(200),
      amount: minorUnits.optional(),
      currency: z
        .string()
        .regex(/^[A-Z][A-Z0-9]{2,9}$/)
        .optional(),
      transfer_code: z.string().max(200).optional(),
    })
    .loose(),
});
export type PaymentEvent = z.infer<typeof paymentEventSchema>;

export type EventOutcome = "applied" | "ignored" | "refused";

export interface RecordedEvent {
  readonly outcome: EventOutcome;
  readonly detail: string | null;
  readonly transactionId: string | null;
  readonly replayed: boolean;
}

/** The (event, reference) is known with another payload. */
export class PaymentEventMismatchError extends Error {
  constructor(
    readonly event: string,
    readonly reference: string,
  ) {
    super(`${event} ${reference} was already received with a different payload`);
    this.name = "PaymentEventMismatchError";
  }
}

interface Applied {
  readonly outcome: EventOutcome;
  readonly detail: string | null;
  readonly transactionId: string | null;
}

/** Store and apply one verified delivery, or answer its replay. */
export async function recordPaymentEvent(
  pool: Pool,
  delivery: PaymentEvent,
  payload: unknown,
): Promise<RecordedEvent> {
  const sha256 = createHash("sha256").update(canonicalJson(payload)).digest("hex");
  const known = await storedEvent(pool, delivery, sha256);
  if (known) return known;
  try {
    const applied = await withTransaction(
      pool,
      async (tx) => {
        const result = await applyEvent(tx, delivery);
        await tx.query(
          `INSERT INTO payment_events (event, reference, payload, payload_sha256, transaction_id, outcome, detail)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            delivery.event,
            delivery.data.reference,
            JSON.stringify(payload),
            sha256,
            result.transactionId,
            result.outcome,
            result.detail,
          ],
        );
        return result;
      },
      { retries: 3 },
    );
    return { ...applied, replayed: false };
  } catch (error) {
    // A concurrent delivery of the same event won; this one is its replay (or drift).
    if ((error as { code?: string }).code !== "23505") throw error;
    const stored = await storedEvent(pool, delivery, sha256);
    if (stored === undefined) throw error;
    return stored;
  }
}

async function storedEvent(
  pool: Pool,
  delivery: PaymentEvent,
  sha256: string,
): Promise<RecordedEvent | undefined> {
  const result = await pool.query<{
    payload_sha256: string;
    outcome: EventOutcome;
    detail: string | null;
    transaction_id: string | null;
  }>(
    `SELECT payload_sha256, outcome, detail, transaction_id FROM payment_events
      WHERE provider = 'paystack' AND event = $1 AND reference = $2`,
    [delivery.event, delivery.data.reference],
  );
  const row = result.rows[0];
  if (row === undefined) return undefined;
  if (row.payload_sha256 !== sha256)
    throw new PaymentEventMismatchError(delivery.event, delivery.data.reference);
  return {
    outcome: row.outcome,
    detail: row.detail,
    transactionId: row.transaction_id,
    replayed: true,
  };
}

async function applyEvent(tx: Tx, delivery: PaymentEvent): Promise<Applied> {
  switch (delivery.event) {
    case "charge.success":
      return applyCharge(tx, delivery);
    case "transfer.success":
    case "transfer.failed":
    case "transfer.reversed":
      return applyTransfer(tx, delivery);
    default:
      return {
        outcome: "ignored",
        detail: `event ${delivery.event} is not used`,
        transactionId: null,
      };
  }
}

async function applyCharge(tx: Tx, delivery: PaymentEvent): Promise<Applied> {
  const result = await tx.query<TransactionRow>(
    `SELECT ${transactionColumns} FROM transactions WHERE payment_reference = $1 FOR UPDATE`,
    [delivery.data.reference],
  );
  if (result.rows[0] === undefined)
    return { outcome: "ignored", detail: "no transaction has this reference", transactionId: null };
  const transaction: EscrowTransaction = toTransaction(result.rows[0]);
  const paid = delivery.data.amount === undefined ? undefined : String(delivery.data.amount);
  if (paid !== transaction.amount || delivery.data.currency !== transaction.currency) {
    // Money that does not match the price is not held: a person returns or completes it.
    const detail = `paid ${paid ?? "?"} ${delivery.data.currency ?? "?"}, the transaction is ${transaction.amount} ${transaction.currency}`;
    return { outcome: "refused", detail, transactionId: transaction.id };
  }
  if (transaction.state !== "pending_payment") {
    const detail = `the transaction is ${transaction.state}`;
    return { outcome: "ignored", detail, transactionId: transaction.id };
  }
  const holdTransactionId = await postHold(tx, transaction);
  await moveTransaction(
    tx,
    transaction,
    "funds_held",
    { actor: "paystack", via: "webhook", reason: "payment confirmed by the provider" },
    { holdTransactionId },
  );
  return { outcome: "applied", detail: null, transactionId: transaction.id };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function applyTransfer(tx: Tx, delivery: PaymentEvent): Promise<Applied> {
  const reference = delivery.data.reference;
  const payout = uuidPattern.test(reference) ? await lockPayout(tx, reference) : undefined;
  if (payout === undefined)
    return { outcome: "ignored", detail: "no payout has this reference", transactionId: null };
  const to = delivery.event === "transfer.success" ? "settled" : "failed";
  const finished = await finishPayout(tx, payout, to, {
    transferId: delivery.data.transfer_code ?? null,
    error: to === "failed" ? `provider sent ${delivery.event}` : null,
  });
  const detail = finished ? null : `the payout is already ${payout.status}`;
  return { outcome: finished ? "applied" : "ignored", detail, transactionId: payout.transactionId };
}
