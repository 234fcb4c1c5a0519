/**
 * @module The audit log against real PostgreSQL: rows chain by hash, UPDATE/DELETE are refused,
 * and a row tampered with by a superuser (trigger bypassed) is found by verify and by the CLI.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  appendAudit,
  createPool,
  migrate,
  type Pool,
  verifyAudit,
  withTransaction,
} from "../../services/kit";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { rejects } from "./rejects";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");

let postgres: PostgresServer;
let databaseUrl: string;
let pool: Pool;

test.before(async () => {
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase();
  pool = createPool(databaseUrl);
  await migrate(pool, "audittest");
});

test.after(async () => {
  await pool?.end();
  await postgres?.stop();
});

test("concurrent appends form one unbroken chain", async () => {
  await Promise.all(
    Array.from({ length: 30 }, (_, index) =>
      withTransaction(pool, (tx) =>
        appendAudit(tx, {
          actor: index % 2 ? "alice" : "bob",
          action: "control.put",
          subject: `c${index}`,
          reason: "drill",
          ticket: "INC-1",
          before: null,
          after: { n: index, nested: { b: 1, a: [1, 2] } },
        }),
      ),
    ),
  );
  const result = await verifyAudit(pool);
  assert.equal(result, { ok: true, rowsChecked: 30 });
});

test("a rolled-back append leaves no trace and the chain stays intact", async () => {
  await withTransaction(pool, async (tx) => {
    await appendAudit(tx, { actor: "x", action: "ghost" });
    throw new Error("roll back");
  }).catch(() => undefined);
  const result = await verifyAudit(pool);
  assert.ok(result.ok);
  assert.is(result.rowsChecked, 30);
});

test("UPDATE and DELETE are refused", async () => {
  await rejects(
    () => pool.query("UPDATE audit_log SET actor = 'mallory' WHERE id = 3"),
    /append-only/,
  );
  await rejects(() => pool.query("DELETE FROM audit_log WHERE id = 3"), /append-only/);
  await rejects(() => pool.query("TRUNCATE audit_log"), /append-only/);
});

test("the CLI reports an intact log with exit 0", async () => {
  const { stdout } = await run(join(root, "node_modules/.bin/tsx"), ["services/audit-verify.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  assert.is(JSON.parse(stdout.trim()).ok, true);
});

test("a row changed by a superuser with the trigger bypassed is the first broken row", async () => {
  const client = await pool.connect();
  try {
    await client.query("SET session_replication_role = replica");
    await client.query("UPDATE audit_log SET reason = 'nothing happened' WHERE id = 7");
    await client.query("SET session_replication_role = origin");
  } finally {
    client.release();
  }
  const result = await verifyAudit(pool);
  assert.is(result.ok, false);
  assert.is(result.firstBroken?.id, "7");
  assert.is(result.rowsChecked, 6);
  assert.match(result.firstBroken!.problem, /changed/);

  const cli = await run(join(root, "node_modules/.bin/tsx"), ["services/audit-verify.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  }).then(
    () => ({ code: 0, stdout: "" }),
    (error: { code: number; stdout: string }) => error,
  );
  assert.is(cli.code, 2);
  assert.is(JSON.parse(cli.stdout.trim()).firstBroken.id, "7");
});

test("a deleted row is found at the row after it", async () => {
  const client = await pool.connect();
  try {
    await client.query("SET session_replication_role = replica");
    await client.query("UPDATE audit_log SET reason = 'drill' WHERE id = 7");
    await client.query("DELETE FROM audit_log WHERE id = 12");
  } finally {
    await client.query("SET session_replication_role = origin");
    client.release();
  }
  const result = await verifyAudit(pool);
  assert.is(result.firstBroken?.id, "13");
  assert.match(result.firstBroken!.problem, /removed/);
});

test.run();
