/**
 * @module Migrations against real PostgreSQL: two runners at once apply each file exactly
 * once, a rerun applies nothing, and a changed applied file is an error.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createPool, MigrationChangedError, migrate, type Pool } from "../../services/kit";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { rejects } from "./rejects";

let postgres: PostgresServer;
let pools: Pool[] = [];
let dir: string;

test.before(async () => {
  postgres = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), "kit-migrations-"));
  writeFileSync(join(dir, "0001_a.sql"), "CREATE TABLE a (id int PRIMARY KEY);");
  // Slow on purpose, so the second runner arrives while the first holds the lock.
  writeFileSync(
    join(dir, "0002_b.sql"),
    "SELECT pg_sleep(0.3); CREATE TABLE b (id int PRIMARY KEY);",
  );
});

test.after(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await postgres?.stop();
});

test("two runners starting together apply every file exactly once", async () => {
  const url = await postgres.createDatabase("twice");
  pools = [createPool(url), createPool(url)];
  const [first, second] = await Promise.all(pools.map((pool) => migrate(pool, "svc", dir)));
  const applied = [...first!.applied, ...second!.applied].sort();
  assert.ok(applied.includes("svc/0001_a.sql") && applied.includes("svc/0002_b.sql"));
  assert.is(applied.filter((name) => name === "svc/0002_b.sql").length, 1);
  assert.ok(applied.some((name) => name.startsWith("kit/")));
  const rows = await pools[0]!.query(
    "SELECT scope, name FROM schema_migrations ORDER BY scope, name",
  );
  assert.equal(
    rows.rows.filter((row) => row.scope === "svc").map((row) => row.name),
    ["0001_a.sql", "0002_b.sql"],
  );
});

test("a rerun applies nothing; a new file is applied", async () => {
  const rerun = await migrate(pools[0]!, "svc", dir);
  assert.equal(rerun.applied, []);
  writeFileSync(join(dir, "0003_c.sql"), "CREATE TABLE c (id int);");
  assert.equal((await migrate(pools[0]!, "svc", dir)).applied, ["svc/0003_c.sql"]);
});

test("an applied file that changed is refused, naming it", async () => {
  writeFileSync(join(dir, "0001_a.sql"), "CREATE TABLE a (id bigint PRIMARY KEY);");
  try {
    await migrate(pools[0]!, "svc", dir);
    assert.unreachable("expected a MigrationChangedError");
  } catch (error) {
    assert.instance(error, MigrationChangedError);
    assert.match((error as Error).message, /svc\/0001_a\.sql/);
  }
});

test("a failing file is rolled back and not recorded", async () => {
  const url = await postgres.createDatabase("failing");
  const pool = createPool(url);
  pools.push(pool);
  const failing = mkdtempSync(join(tmpdir(), "kit-migrations-bad-"));
  writeFileSync(join(failing, "0001_ok.sql"), "CREATE TABLE ok (id int);");
  writeFileSync(join(failing, "0002_bad.sql"), "CREATE TABLE half (id int); SELECT nonsense;");
  await rejects(() => migrate(pool, "bad", failing), /bad\/0002_bad\.sql/);
  const half = await pool.query("SELECT to_regclass('half') AS t");
  assert.is(half.rows[0].t, null);
  const recorded = await pool.query("SELECT name FROM schema_migrations WHERE scope = 'bad'");
  assert.equal(
    recorded.rows.map((row) => row.name),
    ["0001_ok.sql"],
  );
});

test.run();
