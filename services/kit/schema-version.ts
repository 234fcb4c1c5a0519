/**
 * @module The start-up check of a replica that does not migrate (`MIGRATE_AT_START=false`,
 * the environments with `features.safeMigrations`): its release's migrations run once, in
 * the Argo CD PreSync Job, and a replica that finds the database behind what it needs refuses
 * to start with one line saying so, instead of serving 500s on tables it cannot find.
 */
import type { Pool } from "./db";
import { type MigrateOptions, type MigrationFile, migrationsOf } from "./migrations";

/** Thrown at start when the database lacks migrations this release needs. */
export class SchemaBehindError extends Error {
  constructor(
    readonly service: string,
    readonly appliedLast: string | undefined,
    readonly missing: readonly string[],
  ) {
    const at = appliedLast ? `at migration ${appliedLast}` : "not migrated";
    super(
      `${service}: database schema is ${at}, this release needs ${missing.at(-1)} ` +
        `(${missing.length} pending): run the PreSync migration Job (npm run migrate -- ${service})`,
    );
    this.name = "SchemaBehindError";
  }
}

/**
 * Resolve when every migration the service needs is applied; otherwise throw
 * {@link SchemaBehindError} naming the last applied one and the newest missing one. An
 * applied file that changed since is left to the migration Job to report.
 *
 * @example await requireCurrentSchema(pool, "payments", definition.migrationsDir);
 */
export async function requireCurrentSchema(
  pool: Pool,
  service: string,
  serviceDir?: string,
  options: MigrateOptions = {},
): Promise<void> {
  const needed = migrationsOf(service, serviceDir, options);
  const applied = await appliedMigrations(pool);
  const missing = needed.filter((file) => !applied.has(idOf(file))).map(idOf);
  if (missing.length === 0) return;
  const appliedLast = needed
    .filter((file) => applied.has(idOf(file)))
    .map(idOf)
    .at(-1);
  throw new SchemaBehindError(service, appliedLast, missing);
}

function idOf(file: MigrationFile): string {
  return `${file.scope}/${file.name}`;
}

async function appliedMigrations(pool: Pool): Promise<Set<string>> {
  const table = await pool.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (!table.rows[0]?.present) return new Set();
  const rows = await pool.query<{ scope: string; name: string }>(
    "SELECT scope, name FROM schema_migrations",
  );
  return new Set(rows.rows.map((row) => `${row.scope}/${row.name}`));
}
