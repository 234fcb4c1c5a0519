/**
 * @module Retention of the kit's bookkeeping: published outbox rows, completed idempotency
 * keys and processed-message marks would otherwise grow forever. The audit log is never
 * pruned. Runs as the `kit-retention` worker of every service.
 */
import type { Pool } from "./db";

export interface RetentionOptions {
  /** Keep published outbox rows this long (for debugging and replays). @default 7 */
  readonly outboxRetentionDays?: number;
  /** Keep completed idempotency keys this long: a retry after it runs again. @default 24 */
  readonly idempotencyRetentionHours?: number;
  /** Keep processed-message marks this long: longer than any redelivery. @default 7 */
  readonly processedRetentionDays?: number;
}

/** How many rows one pass removed. */
export interface RetentionResult {
  readonly outbox: number;
  readonly idempotencyKeys: number;
  readonly processedMessages: number;
}

/**
 * Delete what is past its retention; never touches unpublished events or live reservations
 * (an abandoned reservation goes once its lease ended longer ago than the retention).
 */
export async function pruneKitTables(
  pool: Pool,
  options: RetentionOptions = {},
): Promise<RetentionResult> {
  const outbox = await pool.query(
    "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - make_interval(days => $1)",
    [options.outboxRetentionDays ?? 7],
  );
  const keys = await pool.query(
    `DELETE FROM idempotency_keys WHERE (state = 'completed' AND completed_at < now() - make_interval(hours => $1))
       OR (state = 'in_progress' AND locked_until < now() - make_interval(hours => $1))`,
    [options.idempotencyRetentionHours ?? 24],
  );
  const processed = await pool.query(
    "DELETE FROM processed_messages WHERE processed_at < now() - make_interval(days => $1)",
    [options.processedRetentionDays ?? 7],
  );
  return {
    outbox: outbox.rowCount ?? 0,
    idempotencyKeys: keys.rowCount ?? 0,
    processedMessages: processed.rowCount ?? 0,
  };
}
