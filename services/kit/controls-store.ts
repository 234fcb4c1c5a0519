/**
 * @module Controls in PostgreSQL: the stored set, the service-wide version that only grows,
 * and the writes (upsert, lift) that also append the audit row and the outbox event in the
 * same transaction.
 */
import { appendAudit } from "./audit";
import { canonicalJson } from "./canonical-json";
import { type Pool, type Tx, withTransaction } from "./db";
import { controlEventsTopic, enqueueEvent } from "./outbox";

/** A control as stored and as the admin API returns it. */
export interface Control {
  readonly id: string;
  readonly kind: string;
  readonly spec: Record<string, unknown>;
  readonly source: Record<string, unknown>;
  readonly reason: string;
  readonly ticket: string;
  readonly actor: string;
  readonly expiresAt: string | null;
  /** The service-wide version at which this control was last changed. */
  readonly version: number;
  readonly updatedAt: string;
}

/** The controls of a service at one version. */
export interface ControlSet {
  readonly version: number;
  readonly controls: readonly Control[];
}

/** What a PUT stores. */
export interface ControlInput {
  readonly kind: string;
  readonly spec: Record<string, unknown>;
  readonly source: Record<string, unknown>;
  readonly reason: string;
  readonly ticket: string;
  readonly actor: string;
  readonly expiresAt: string | null;
}

/** Who lifts a control and why. */
export interface LiftInput {
  readonly actor?: string;
  readonly reason?: string;
  readonly ticket?: string;
}

function toControl(row: Record<string, unknown>): Control {
  return {
    id: row.id as string,
    kind: row.kind as string,
    spec: row.spec as Record<string, unknown>,
    source: row.source as Record<string, unknown>,
    reason: row.reason as string,
    ticket: row.ticket as string,
    actor: row.actor as string,
    expiresAt: row.expires_at ? (row.expires_at as Date).toISOString() : null,
    version: Number(row.version),
    updatedAt: (row.updated_at as Date).toISOString(),
  };
}

const selectColumns =
  "id, kind, spec, source, reason, ticket, actor, expires_at, version, updated_at";

/** The whole set and its version, read in one snapshot. */
export async function loadControlSet(pool: Pool, service: string): Promise<ControlSet> {
  return withTransaction(
    pool,
    async (tx) => {
      const version = await tx.query<{ version: string }>(
        "SELECT version FROM control_versions WHERE service = $1",
        [service],
      );
      const rows = await tx.query(
        `SELECT ${selectColumns} FROM controls WHERE service = $1 ORDER BY id`,
        [service],
      );
      return { version: Number(version.rows[0]?.version ?? 0), controls: rows.rows.map(toControl) };
    },
    { isolation: "repeatable read" },
  );
}

/** Lock the service's version row (serializing control writes) and return it. */
async function lockVersion(tx: Tx, service: string): Promise<number> {
  await tx.query(
    "INSERT INTO control_versions (service, version) VALUES ($1, 0) ON CONFLICT DO NOTHING",
    [service],
  );
  const row = await tx.query<{ version: string }>(
    "SELECT version FROM control_versions WHERE service = $1 FOR UPDATE",
    [service],
  );
  return Number(row.rows[0]!.version);
}

async function findControl(tx: Tx, service: string, id: string): Promise<Control | undefined> {
  const row = await tx.query(
    `SELECT ${selectColumns} FROM controls WHERE service = $1 AND id = $2`,
    [service, id],
  );
  return row.rows[0] ? toControl(row.rows[0]) : undefined;
}

function sameControl(stored: Control, input: ControlInput): boolean {
  return (
    stored.kind === input.kind &&
    canonicalJson(stored.spec) === canonicalJson(input.spec) &&
    stored.source.generation === input.source.generation
  );
}

/**
 * Upsert: returns the stored control and whether anything changed. An identical re-PUT
 * (same kind, spec and source generation) changes nothing and keeps its version.
 */
export async function putControl(
  pool: Pool,
  service: string,
  id: string,
  input: ControlInput,
): Promise<{ control: Control; changed: boolean }> {
  return withTransaction(pool, async (tx) => {
    const current = await lockVersion(tx, service);
    const before = await findControl(tx, service, id);
    if (before && sameControl(before, input)) return { control: before, changed: false };
    const version = current + 1;
    const stored = await tx.query(
      `INSERT INTO controls (service, id, kind, spec, source, reason, ticket, actor, expires_at, version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
       ON CONFLICT (service, id) DO UPDATE SET kind = $3, spec = $4, source = $5, reason = $6,
         ticket = $7, actor = $8, expires_at = $9, version = $10, updated_at = now()
       RETURNING ${selectColumns}`,
      [
        service,
        id,
        input.kind,
        JSON.stringify(input.spec),
        JSON.stringify(input.source),
        input.reason,
        input.ticket,
        input.actor,
        input.expiresAt,
        version,
      ],
    );
    const control = toControl(stored.rows[0]);
    await recordChange(tx, service, version, {
      action: "control.put",
      id,
      actor: input.actor,
      reason: input.reason,
      ticket: input.ticket,
      before: before ?? null,
      after: control,
    });
    return { control, changed: true };
  });
}

/** Lift: the new version, or undefined when no such control exists. */
export async function deleteControl(
  pool: Pool,
  service: string,
  id: string,
  lift: LiftInput,
): Promise<number | undefined> {
  return withTransaction(pool, async (tx) => {
    const current = await lockVersion(tx, service);
    const before = await findControl(tx, service, id);
    if (!before) return undefined;
    const version = current + 1;
    await tx.query("DELETE FROM controls WHERE service = $1 AND id = $2", [service, id]);
    await recordChange(tx, service, version, {
      action: "control.lift",
      id,
      actor: lift.actor ?? "unknown",
      reason: lift.reason ?? null,
      ticket: lift.ticket ?? before.ticket,
      before,
      after: null,
    });
    return version;
  });
}

async function recordChange(
  tx: Tx,
  service: string,
  version: number,
  change: {
    action: string;
    id: string;
    actor: string;
    reason: string | null;
    ticket: string | null;
    before: Control | null;
    after: Control | null;
  },
): Promise<void> {
  await tx.query("UPDATE control_versions SET version = $2 WHERE service = $1", [service, version]);
  await appendAudit(tx, {
    actor: change.actor,
    action: change.action,
    subject: change.id,
    reason: change.reason,
    ticket: change.ticket,
    before: change.before,
    after: change.after,
  });
  enqueueEvent(tx, controlEventsTopic, `${service}:${change.id}`, {
    type: change.action === "control.put" ? "control.applied" : "control.lifted",
    service,
    id: change.id,
    version,
    actor: change.actor,
    reason: change.reason,
    ticket: change.ticket,
    control: change.after,
    previous: change.before,
    at: new Date().toISOString(),
  });
}
