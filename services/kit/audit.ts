/**
 * @module The append-only audit log: every row carries `prev_hash` and
 * `hash = sha256(prev_hash + canonical JSON of the row)`, so changing or removing a row breaks
 * the chain at that row. Inserts take a transaction-level advisory lock, so rows are chained
 * in commit order; a trigger refuses UPDATE, DELETE and TRUNCATE.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json";
import type { Pool, Tx } from "./db";

/** `prev_hash` of the first row. */
export const genesisHash = "0".repeat(64);

const auditLockKey = 0x6277_6175; // "bwau"

/** What a caller records. `before`/`after` are JSON values (amounts as strings). */
export interface AuditEntry {
  readonly actor: string;
  /** Dotted verb, e.g. `control.put`, `payout.resolve`. */
  readonly action: string;
  /** What the action was on, e.g. a control id or `payouts:42`. */
  readonly subject?: string | null;
  readonly reason?: string | null;
  readonly ticket?: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** A stored audit row. */
export interface AuditRow {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string | null;
  readonly reason: string | null;
  readonly ticket: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly prevHash: string;
  readonly hash: string;
}

type HashedFields = Omit<AuditRow, "id" | "prevHash" | "hash">;

/** The hash of a row given the previous row's hash. */
export function auditHash(prevHash: string, row: HashedFields): string {
  const content = canonicalJson({
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    reason: row.reason,
    ticket: row.ticket,
    before: row.before,
    after: row.after,
  });
  return createHash("sha256").update(prevHash).update(content).digest("hex");
}

/** JSON round trip, so what is hashed is exactly what jsonb gives back. */
function jsonValue(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/**
 * Append a row inside the caller's transaction (commit it with the change it records).
 *
 * @example await appendAudit(tx, { actor: "alice", action: "control.put", subject: id, reason, ticket, before, after });
 */
export async function appendAudit(
  tx: Tx,
  entry: AuditEntry,
): Promise<{ id: string; hash: string }> {
  await tx.query("SELECT pg_advisory_xact_lock($1)", [auditLockKey]);
  const last = await tx.query<{ hash: string }>(
    "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1",
  );
  const prevHash = last.rows[0]?.hash ?? genesisHash;
  const row: HashedFields = {
    at: new Date().toISOString(),
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject ?? null,
    reason: entry.reason ?? null,
    ticket: entry.ticket ?? null,
    before: jsonValue(entry.before),
    after: jsonValue(entry.after),
  };
  const hash = auditHash(prevHash, row);
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO audit_log (at, actor, action, subject, reason, ticket, before, after, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      row.at,
      row.actor,
      row.action,
      row.subject,
      row.reason,
      row.ticket,
      JSON.stringify(row.before),
      JSON.stringify(row.after),
      prevHash,
      hash,
    ],
  );
  return { id: inserted.rows[0]!.id, hash };
}

/** The result of {@link verifyAudit}. */
export interface AuditVerification {
  readonly ok: boolean;
  readonly rowsChecked: number;
  /** The first row whose chain is broken, and why. */
  readonly firstBroken?: { readonly id: string; readonly problem: string };
}

/** Walk the log in id order and report the first row whose `prev_hash` or `hash` is wrong. */
export async function verifyAudit(pool: Pool, batchSize = 1000): Promise<AuditVerification> {
  let prevHash = genesisHash;
  let afterId = "0";
  let rowsChecked = 0;
  for (;;) {
    const batch = await pool.query(
      `SELECT id, at, actor, action, subject, reason, ticket, before, after, prev_hash, hash
       FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, batchSize],
    );
    if (batch.rows.length === 0) return { ok: true, rowsChecked };
    for (const raw of batch.rows) {
      const row = toAuditRow(raw);
      const problem = checkRow(row, prevHash);
      if (problem) return { ok: false, rowsChecked, firstBroken: { id: row.id, problem } };
      rowsChecked += 1;
      prevHash = row.hash;
      afterId = row.id;
    }
  }
}

function checkRow(row: AuditRow, expectedPrevHash: string): string | undefined {
  if (row.prevHash !== expectedPrevHash) {
    return `prev_hash ${row.prevHash} does not match the previous row's hash ${expectedPrevHash} (a row was removed or reordered)`;
  }
  const expected = auditHash(row.prevHash, row);
  if (row.hash !== expected) return `hash does not match the row's content (the row was changed)`;
  return undefined;
}

function toAuditRow(raw: Record<string, unknown>): AuditRow {
  return {
    id: String(raw.id),
    at: (raw.at as Date).toISOString(),
    actor: raw.actor as string,
    action: raw.action as string,
    subject: (raw.subject as string | null) ?? null,
    reason: (raw.reason as string | null) ?? null,
    ticket: (raw.ticket as string | null) ?? null,
    before: raw.before ?? null,
    after: raw.after ?? null,
    prevHash: raw.prev_hash as string,
    hash: raw.hash as string,
  };
}
