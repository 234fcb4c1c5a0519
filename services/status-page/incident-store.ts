/**
 * @module The incident history in PostgreSQL: `sync` opens an incident for each published
 * control not yet recorded and resolves those no longer in force, so every replica can run
 * it and the page reads one shared history.
 */
import type { Pool } from "../kit/db";
import type { AffectedComponent, PublishedControl } from "./published-controls";

/** One incident as the page and the feed show it. */
export interface Incident {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly message: string;
  readonly impact: string;
  readonly components: readonly AffectedComponent[];
  readonly startedAt: Date;
  readonly updatedAt: Date;
  readonly resolvedAt: Date | null;
}

interface IncidentRow {
  uid: string;
  kind: string;
  title: string;
  message: string;
  impact: string;
  components: AffectedComponent[];
  started_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
}

const toIncident = (row: IncidentRow): Incident => ({
  id: row.uid,
  kind: row.kind,
  title: row.title,
  message: row.message,
  impact: row.impact,
  components: row.components,
  startedAt: row.started_at,
  updatedAt: row.updated_at,
  resolvedAt: row.resolved_at,
});

/** Record `published` as the controls in force now. */
export async function syncIncidents(
  pool: Pool,
  published: readonly PublishedControl[],
): Promise<void> {
  for (const control of published) {
    // A changed public message or scope updates the open incident; a resolved one stays closed.
    await pool.query(
      `INSERT INTO status_incidents (uid, kind, namespace, name, title, message, impact, components)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (uid) DO UPDATE SET title = $5, message = $6, impact = $7, components = $8,
         updated_at = now()
       WHERE status_incidents.resolved_at IS NULL
         AND (status_incidents.message, status_incidents.components)
           IS DISTINCT FROM ($6, $8::jsonb)`,
      [
        control.uid,
        control.kind,
        control.namespace,
        control.name,
        control.title,
        control.message,
        control.impact,
        JSON.stringify(control.components),
      ],
    );
  }
  await pool.query(
    `UPDATE status_incidents SET resolved_at = now(), updated_at = now()
     WHERE resolved_at IS NULL AND NOT (uid = ANY($1::text[]))`,
    [published.map((control) => control.uid)],
  );
}

/** Open incidents, oldest first, and the `limit` most recent resolved ones, newest first. */
export async function readIncidents(
  pool: Pool,
  limit = 50,
): Promise<{ open: Incident[]; resolved: Incident[] }> {
  const open = await pool.query<IncidentRow>(
    "SELECT * FROM status_incidents WHERE resolved_at IS NULL ORDER BY started_at",
  );
  const resolved = await pool.query<IncidentRow>(
    `SELECT * FROM status_incidents WHERE resolved_at IS NOT NULL
     ORDER BY resolved_at DESC LIMIT $1`,
    [limit],
  );
  return { open: open.rows.map(toIncident), resolved: resolved.rows.map(toIncident) };
}
