/**
 * @module A payments database migrated by a release from before the ledger moved into the kit
 * (it recorded `payments/001_ledger.sql`, which created the ledger's tables and payments'
 * platform accounts) upgrades with `npm run migrate -- payments`: nothing runs twice, nothing
 * fails, its money stays, and the replicas' schema check then passes. The old file is kept in
 * `fixtures/` exactly as it was released.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createPool, type Pool, withTransaction } from "../../services/kit/db";
import { createAccount, getAccount } from "../../services/kit/ledger/accounts";
import { postTransaction } from "../../services/kit/ledger/ledger";
import {
  applyMigrations,
  checksumOf,
  kitMigrationsDir,
  MigrationChangedError,
  migrate,
  readMigrations,
} from "../../services/kit/migrations";
import { requireCurrentSchema } from "../../services/kit/schema-version";
import { paymentsSupersededMigrations } from "../../services/payments/superseded-migrations";
import { type PostgresServer, startPostgres } from "../harness/postgres";
import { rejects } from "../kit/rejects";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const paymentsDir = join(root, "services", "payments", "migrations");
const releasedSql = readFileSync(
  join(import.meta.dirname, "fixtures", "001_ledger-released-before-the-kit-ledger.sql"),
  "utf8",
);
const wallet = "users:1:wallet";

let postgres: PostgresServer;
const pools: Pool[] = [];

/** A database as the earlier release left it: kit 0001, payments 001 (ledger) and 002. */
async function releasedDatabase(
  checksum = checksumOf(releasedSql),
): Promise<{ url: string; pool: Pool }> {
  const url = await postgres.createDatabase();
  const pool = createPool(url);
  pools.push(pool);
  const kit = readMigrations("kit", kitMigrationsDir).filter(
    (file) => file.name === "0001_kit.sql",
  );
  const payouts = readMigrations("payments", paymentsDir).filter(
    (file) => file.name === "002_payouts.sql",
  );
  const ledger = { scope: "payments", name: "001_ledger.sql", sql: releasedSql, checksum };
  await applyMigrations(pool, [...kit, ledger, ...payouts]);
  return { url, pool };
}

async function usdBalance(pool: Pool, account: string): Promise<string | undefined> {
  return (await getAccount(pool, account))?.balances.find((item) => item.currency === "USD")
    ?.amount;
}

function deposit(pool: Pool, reference: string, amount: bigint) {
  return withTransaction(pool, (tx) =>
    postTransaction(tx, {
      kind: "deposit",
      reference,
      postings: [{ source: "platform:psp:clearing", target: wallet, amount, currency: "USD" }],
    }),
  );
}

test.before(async () => {
  postgres = await startPostgres();
});

test.after(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await postgres?.stop();
});

test("the released file is the one payments records as superseded", () => {
  assert.equal(paymentsSupersededMigrations[0]!.checksums, [checksumOf(releasedSql)]);
});

test("npm run migrate -- payments upgrades the database without running the ledger again", async () => {
  const { url, pool } = await releasedDatabase();
  await createAccount(pool, { name: wallet, type: "user" });
  await deposit(pool, "before-upgrade", 500n);

  const migrated = await run(
    process.execPath,
    ["--import", "tsx", join(root, "services", "migrate.ts"), "payments"],
    { cwd: root, env: { ...process.env, DATABASE_URL: url } },
  );
  const result = JSON.parse(migrated.stdout.trim().split("\n").at(-1)!);
  assert.equal(result.adopted, ["payments/001_ledger.sql"]);
  // What the released file did is adopted, never run again; payments' later migrations run.
  const replaced = paymentsSupersededMigrations.flatMap((migration) => migration.replacedBy);
  assert.not.ok(
    result.applied.some((id: string) => id.startsWith("ledger/") || replaced.includes(id)),
    migrated.stdout,
  );
  assert.ok(result.applied.includes("payments/004_webhook_events.sql"), migrated.stdout);

  const recorded = await pool.query<{ id: string }>(
    "SELECT scope || '/' || name AS id FROM schema_migrations ORDER BY scope, name",
  );
  const ids = recorded.rows.map((row) => row.id);
  for (const id of ["ledger/001_ledger.sql", "payments/003_platform_accounts.sql"]) {
    assert.ok(ids.includes(id), `${id} recorded`);
  }
  // Kept, for a release rolled back to before the move.
  assert.ok(ids.includes("payments/001_ledger.sql"));
  await requireCurrentSchema(pool, "payments", paymentsDir, { ledger: true });

  const again = await migrate(pool, "payments", paymentsDir, {
    ledger: true,
    superseded: paymentsSupersededMigrations,
  });
  assert.equal({ applied: again.applied, adopted: again.adopted }, { applied: [], adopted: [] });

  assert.is(await usdBalance(pool, wallet), "500");
  await deposit(pool, "after-upgrade", 25n);
  assert.is(await usdBalance(pool, wallet), "525");
});

test("without the superseded record the upgrade fails on the ledger's tables", async () => {
  const { pool } = await releasedDatabase();
  await rejects(
    () => migrate(pool, "payments", paymentsDir, { ledger: true }),
    /migration ledger\/001_ledger\.sql failed: .*already exists/,
  );
});

test("a recorded payments/001_ledger.sql that no release shipped is refused, naming it", async () => {
  const { pool } = await releasedDatabase("0".repeat(64));
  const upgrade = migrate(pool, "payments", paymentsDir, {
    ledger: true,
    superseded: paymentsSupersededMigrations,
  });
  await rejects(() => upgrade, /^migration payments\/001_ledger\.sql changed/);
  assert.instance(await upgrade.catch((error: unknown) => error), MigrationChangedError);
  const recorded = await pool.query(
    "SELECT 1 FROM schema_migrations WHERE scope = 'ledger' OR name = '003_platform_accounts.sql'",
  );
  assert.is(recorded.rowCount, 0);
});

test.run();
