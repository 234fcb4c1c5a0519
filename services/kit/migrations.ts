/**
 * @module Forward-only SQL migrations: the kit's own folder first, then the service's, each
 * file applied once in name order inside its own transaction, its checksum recorded in
 * `schema_migrations`. A session-level advisory lock makes replicas that start together take
 * turns, and an applied file whose content changed is an error, never silently skipped.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkout, type Pool, type Tx } from "./db";

/** The kit's own migrations (audit_log, outbox, idempotency_keys, controls, ...). */
export const kitMigrationsDir = join(import.meta.dirname, "migrations");

/** The ledger's migrations (accounts, balances, ledger_transactions, ledger_entries). */
export const ledgerMigrationsDir = join(import.meta.dirname, "ledger", "migrations");

/** Advisory lock key shared by every migration runner on the database. */
const migrationLockKey = 0x6277_6d69; // "bwmi"

export interface MigrationFile {
  readonly scope: string;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrationResult {
  /** `scope/name` of each file applied by this run, in order. */
  readonly applied: string[];
  /** How many files were already applied. */
  readonly skipped: number;
  /** Superseded files found applied whose successors this run recorded (see {@link SupersededMigration}). */
  readonly adopted: string[];
}

/**
 * A migration file that no longer exists because its statements moved to other files (e.g.
 * `payments/001_ledger.sql`, whose tables now come from the kit's `ledger/001_ledger.sql` and
 * whose platform accounts from `payments/003_platform_accounts.sql`). A database that applied
 * it (with one of `checksums`) has what `replacedBy` would create, so those are recorded as
 * applied instead of run again; the old record stays, for a release rolled back to before the
 * move.
 */
export interface SupersededMigration {
  /** `scope/name` as recorded in `schema_migrations`. */
  readonly id: string;
  /** Checksums ({@link checksumOf}) of the file's released versions. */
  readonly checksums: readonly string[];
  /** `scope/name` of the files that now do what it did. */
  readonly replacedBy: readonly string[];
}

/** Thrown when an applied migration's file no longer matches what was applied. */
export class MigrationChangedError extends Error {
  constructor(readonly file: string) {
    super(
      `migration ${file} changed after it was applied (checksum differs); add a new file instead`,
    );
    this.name = "MigrationChangedError";
  }
}

/**
 * Header lines that describe a migration to its reviewers (`-- rollback: ...`,
 * `-- forward-only: ...`, `-- lint-exception: ...`, see migration-annotations.ts) rather
 * than change the schema: they are left out of the checksum, so documenting an applied file
 * does not make it "changed".
 */
const reviewLinePattern = /^-- (rollback|forward-only|lint-exception):.*(\r?\n|$)/gm;

/** SHA-256 of a migration's text, review lines left out. */
export function checksumOf(sql: string): string {
  return createHash("sha256").update(sql.replace(reviewLinePattern, "")).digest("hex");
}

/**
 * A file whose header says `-- migrate: no-transaction` runs outside a transaction, for the
 * statements PostgreSQL refuses inside one (`CREATE INDEX CONCURRENTLY`); it must then hold
 * a single statement, or PostgreSQL runs it as one implicit transaction and refuses it.
 */
export function runsWithoutTransaction(sql: string): boolean {
  return /^-- migrate: no-transaction\b/m.test(sql);
}

/**
 * How long a migration waits for a lock before it fails, so DDL queued behind a long query
 * does not block every request queued behind it in turn (squawk's require-lock-timeout).
 */
export const migrationLockTimeout = "5s";

/** The `*.sql` files of a folder in name order; a missing folder has none. */
export function readMigrations(scope: string, dir: string): MigrationFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name), "utf8");
      return { scope, name, sql, checksum: checksumOf(sql) };
    });
}

export interface MigrateOptions {
  /** Apply the kit's ledger (scope `ledger`) between the kit's and the service's. @default false */
  readonly ledger?: boolean;
  /** Files this service once applied that others replaced. @default [] */
  readonly superseded?: readonly SupersededMigration[];
}

/**
 * Apply the kit's migrations, then the ledger's when asked, then the service's (scope =
 * service name) to the database.
 *
 * @example await migrate(pool, "payments", join(import.meta.dirname, "migrations"), { ledger: true });
 */
export async function migrate(
  pool: Pool,
  service: string,
  serviceDir?: string,
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  return applyMigrations(pool, migrationsOf(service, serviceDir, options), options.superseded);
}

/** Every migration a service needs, in the order they apply: the kit's, the ledger's, its own. */
export function migrationsOf(
  service: string,
  serviceDir?: string,
  options: MigrateOptions = {},
): MigrationFile[] {
  return [
    ...readMigrations("kit", kitMigrationsDir),
    ...(options.ledger ? readMigrations("ledger", ledgerMigrationsDir) : []),
    ...(serviceDir ? readMigrations(service, serviceDir) : []),
  ];
}

/** Apply the given files under the advisory lock; see {@link migrate}. */
export async function applyMigrations(
  pool: Pool,
  files: MigrationFile[],
  superseded: readonly SupersededMigration[] = [],
): Promise<MigrationResult> {
  const { client } = await checkout(pool);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [migrationLockKey]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        scope text NOT NULL, name text NOT NULL, checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (scope, name))`);
      const done = await client.query<{ scope: string; name: string; checksum: string }>(
        "SELECT scope, name, checksum FROM schema_migrations",
      );
      const applied = new Map(done.rows.map((row) => [`${row.scope}/${row.name}`, row.checksum]));
      const adopted = await adoptSuperseded(client, applied, files, superseded);
      const result: MigrationResult = { applied: [], skipped: 0, adopted };
      for (const file of files) {
        const id = `${file.scope}/${file.name}`;
        const checksum = applied.get(id);
        if (checksum !== undefined) {
          if (checksum !== file.checksum) throw new MigrationChangedError(id);
          (result as { skipped: number }).skipped += 1;
          continue;
        }
        await applyOne(client, file);
        result.applied.push(id);
      }
      return result;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [migrationLockKey]);
    }
  } finally {
    client.release();
  }
}

/**
 * Record the successors of every superseded file the database applied, in one transaction,
 * and add them to `applied`; returns the superseded ids adopted. A recorded superseded file
 * with an unknown checksum is {@link MigrationChangedError}: what it created is not known.
 */
async function adoptSuperseded(
  client: Tx,
  applied: Map<string, string>,
  files: readonly MigrationFile[],
  superseded: readonly SupersededMigration[],
): Promise<string[]> {
  const adopted: string[] = [];
  const successors: MigrationFile[] = [];
  for (const old of superseded) {
    const checksum = applied.get(old.id);
    if (checksum === undefined) continue;
    if (!old.checksums.includes(checksum)) throw new MigrationChangedError(old.id);
    const missing = old.replacedBy.filter((id) => !applied.has(id));
    if (missing.length === 0) continue;
    for (const id of missing) {
      const file = files.find((candidate) => `${candidate.scope}/${candidate.name}` === id);
      if (file === undefined)
        throw new Error(`${old.id} is replaced by ${id}, which no folder holds`);
      successors.push(file);
      applied.set(id, file.checksum);
    }
    adopted.push(old.id);
  }
  if (successors.length === 0) return adopted;
  // One statement, so every successor is recorded or none.
  await client.query(
    `INSERT INTO schema_migrations (scope, name, checksum)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    [
      successors.map((file) => file.scope),
      successors.map((file) => file.name),
      successors.map((file) => file.checksum),
    ],
  );
  return adopted;
}

async function applyOne(client: Tx, file: MigrationFile): Promise<void> {
  if (runsWithoutTransaction(file.sql)) {
    await applyOutsideTransaction(client, file);
    return;
  }
  await client.query("BEGIN");
  try {
    await client.query(`SET LOCAL lock_timeout = '${migrationLockTimeout}'`);
    await client.query(file.sql);
    await client.query(
      "INSERT INTO schema_migrations (scope, name, checksum) VALUES ($1, $2, $3)",
      [file.scope, file.name, file.checksum],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw new Error(`migration ${file.scope}/${file.name} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function applyOutsideTransaction(client: Tx, file: MigrationFile): Promise<void> {
  try {
    await client.query(`SET lock_timeout = '${migrationLockTimeout}'`);
    await client.query(file.sql);
    await client.query(
      "INSERT INTO schema_migrations (scope, name, checksum) VALUES ($1, $2, $3)",
      [file.scope, file.name, file.checksum],
    );
  } catch (error) {
    throw new Error(`migration ${file.scope}/${file.name} failed: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await client.query("RESET lock_timeout");
  }
}
