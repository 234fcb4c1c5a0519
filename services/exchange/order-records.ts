/**
 * @module `exchange_orders`, the per-order view of the engine log: written in the sequencer's
 * transaction (a new order, its fills, its end), read by `GET /v1/orders/{id}` and by a repeat
 * of `POST /v1/orders` with the same client order id.
 */
import type { Pool, Tx } from "../kit/db";
import type { NewOrder } from "./engine/types";
import type { SequencedCommand } from "./sequencer/sequencer";

export interface OrderRecord {
  readonly orderId: string;
  readonly trader: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly type: "limit" | "market";
  readonly price: string | null;
  readonly quantity: string;
  readonly filled: string;
  readonly held: string;
  readonly heldAsset: string;
  readonly status: "open" | "filled" | "cancelled";
  readonly cancelReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const columns = `order_id AS "orderId", trader, client_order_id AS "clientOrderId", symbol, side,
  type, price::text AS price, quantity::text AS quantity, filled::text AS filled,
  held::text AS held, held_asset AS "heldAsset", status, cancel_reason AS "cancelReason",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"`;

/** The order, or undefined. */
export async function findOrder(
  pool: Pool | Tx,
  orderId: string,
): Promise<OrderRecord | undefined> {
  const result = await pool.query<OrderRecord>(
    `SELECT ${columns} FROM exchange_orders WHERE order_id = $1`,
    [orderId],
  );
  return result.rows[0];
}

/** The order a trader placed under `clientOrderId`, or undefined. */
export async function findByClientOrderId(
  pool: Pool,
  trader: string,
  clientOrderId: string,
): Promise<OrderRecord | undefined> {
  const result = await pool.query<OrderRecord>(
    `SELECT ${columns} FROM exchange_orders WHERE trader = $1 AND client_order_id = $2`,
    [trader, clientOrderId],
  );
  return result.rows[0];
}

/** What the API adds to an engine order. */
export interface OrderIntent {
  readonly order: NewOrder;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly held: { asset: string; amount: bigint };
}

export async function insertOrder(tx: Tx, intent: OrderIntent): Promise<void> {
  const { order } = intent;
  await tx.query(
    `INSERT INTO exchange_orders (order_id, trader, client_order_id, symbol, side, type, price,
       quantity, held, held_asset, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open')`,
    [
      order.orderId,
      order.trader,
      intent.clientOrderId,
      intent.symbol,
      order.side,
      order.type,
      order.price?.toString() ?? null,
      order.quantity.toString(),
      intent.held.amount.toString(),
      intent.held.asset,
    ],
  );
}

/** Records the fills and ends of every order a sequenced command touched. */
export async function recordOutcome(tx: Tx, sequenced: SequencedCommand): Promise<void> {
  const filled = new Map<string, bigint>();
  const ended: Array<{ orderId: string; status: string; reason: string | null }> = [];
  for (const { event } of sequenced.events) {
    if (event.type === "TradeExecuted") {
      for (const party of [event.buyer, event.seller])
        filled.set(party.orderId, (filled.get(party.orderId) ?? 0n) + event.quantity);
    } else if (event.type === "OrderFilled")
      ended.push({ orderId: event.orderId, status: "filled", reason: null });
    else if (event.type === "OrderCancelled")
      ended.push({ orderId: event.orderId, status: "cancelled", reason: event.reason });
  }
  if (filled.size > 0)
    await tx.query(
      `UPDATE exchange_orders o SET filled = o.filled + f.quantity, updated_at = now()
       FROM unnest($1::uuid[], $2::bigint[]) AS f(order_id, quantity) WHERE o.order_id = f.order_id`,
      [[...filled.keys()], [...filled.values()].map(String)],
    );
  if (ended.length > 0)
    await tx.query(
      `UPDATE exchange_orders o SET status = e.status, cancel_reason = e.reason, updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS e(order_id, status, reason)
       WHERE o.order_id = e.order_id`,
      [ended.map((e) => e.orderId), ended.map((e) => e.status), ended.map((e) => e.reason)],
    );
}
