/**
 * @module Replicas that do not migrate (`MIGRATE_AT_START=false`), against real PostgreSQL:
 * `npm run service -- payments` on a database behind its release exits 1 with one line naming
 * the applied and the needed migration; after `npm run migrate -- payments` (what the PreSync
 * Job runs) the same check passes. Also: a `-- migrate: no-transaction` file runs outside a
 * transaction, and review lines do not change an applied file's checksum.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  createPool,
  migrate,
  type Pool,
  requireCurrentSchema,
  SchemaBehindError,
} from "../../services/kit";
import { applyMigrations, migrationsOf } from "../../services/kit/migrations";
import { testIssuer } from "../payments/payments-fixture";

/** Payments keeps its accounts on the kit's ledger, whose migrations come before its own. */
const payments = { ledger: true };

import { type PostgresServer, startPostgres } from "../harness/postgres";

const root = join(import.meta.dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const paymentsMigrations = join(root, "services", "payments", "migrations");

let postgres: PostgresServer;
let authEnv: Record<string, string> = {};
const pools: Pool[] = [];

test.before(async () => {
  postgres = await startPostgres();
  authEnv = (await testIssuer()).env;
});

test.after(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await postgres?.stop();
});

function run(program: string, args: string[], databaseUrl: string) {
  return spawnSync(tsx, [program, ...args], {
    cwd: root,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      PORT: "0",
      DATABASE_URL: databaseUrl,
      REDIS_URL: "redis://127.0.0.1:9",
      KAFKA_BROKERS: "127.0.0.1:9",
      ADMIN_TOKEN: "a-token-of-sixteen-or-more",
      PSP_URL: "http://127.0.0.1:9",
      WEBHOOK_SECRET: "a-secret-of-sixteen-or-more",
      MIGRATE_AT_START: "false",
      ...authEnv,
    },
  });
}

test("a replica on a schema older than its release refuses to start with one line", async () => {
  const url = await postgres.createDatabase("behind");
  const pool = createPool(url);
  pools.push(pool);
  const needed = migrationsOf("payments", paymentsMigrations, payments);
  await applyMigrations(pool, needed.slice(0, -1));
  const [applied, last] = needed.slice(-2).map((file) => `${file.scope}/${file.name}`);

  const refused = run("services/run.ts", ["payments"], url);
  assert.is(refused.status, 1, refused.stdout);
  assert.is(
    refused.stderr,
    `payments: database schema is at migration ${applied}, this release needs ${last} ` +
      "(1 pending): run the PreSync migration Job (npm run migrate -- payments)\n",
  );
  const recorded = await pool.query(
    "SELECT count(*)::int AS n FROM schema_migrations WHERE scope || '/' || name = $1",
    [last],
  );
  assert.is(recorded.rows[0].n, 0, "the replica must not have migrated");

  const migrated = run("services/migrate.ts", ["payments"], url);
  assert.is(migrated.status, 0, migrated.stderr);
  assert.match(migrated.stdout, `"applied":["${last}"]`);
  await requireCurrentSchema(pool, "payments", paymentsMigrations, payments);
});

test("an empty database is 'not migrated' and names every pending file", async () => {
  const pool = createPool(await postgres.createDatabase("empty"));
  pools.push(pool);
  try {
    await requireCurrentSchema(pool, "payments", paymentsMigrations, payments);
    assert.unreachable("expected a SchemaBehindError");
  } catch (error) {
    assert.instance(error, SchemaBehindError);
    const behind = error as SchemaBehindError;
    assert.is(behind.appliedLast, undefined);
    assert.equal(
      behind.missing,
      migrationsOf("payments", paymentsMigrations, payments).map(
        (file) => `${file.scope}/${file.name}`,
      ),
    );
    assert.match(behind.message, /^payments: database schema is not migrated, this release/);
  }
});

test("a no-transaction file can build an index concurrently; review lines keep checksums", async () => {
  const pool = createPool(await postgres.createDatabase("concurrently"));
  pools.push(pool);
  const dir = mkdtempSync(join(tmpdir(), "kit-concurrently-"));
  writeFileSync(join(dir, "0001_t.sql"), "CREATE TABLE t (id bigint PRIMARY KEY, at timestamptz);");
  writeFileSync(
    join(dir, "0002_t_at.sql"),
    "-- migrate: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_at_idx ON t (at);",
  );
  assert.equal((await migrate(pool, "svc", dir)).applied.slice(-2), [
    "svc/0001_t.sql",
    "svc/0002_t_at.sql",
  ]);
  const index = await pool.query(
    "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_at_idx'::regclass",
  );
  assert.is(index.rows[0].indisvalid, true);

  writeFileSync(
    join(dir, "0001_t.sql"),
    "-- forward-only: t holds what it is given, dropping it loses that\n" +
      "CREATE TABLE t (id bigint PRIMARY KEY, at timestamptz);",
  );
  assert.equal((await migrate(pool, "svc", dir)).applied, []);
});

test.run();
