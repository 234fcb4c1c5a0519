/**
 * @module The migration linter with the real squawk: each class of unsafe DDL is refused with
 * its rule and line, a reviewed exception lets exactly that rule through, a malformed or
 * unused exception and a missing rollback plan are findings, and every migration in the
 * repository passes.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checksumOf } from "../kit/migrations";
import { formatFinding, lintMigration, repositoryMigrations } from "./lint";

const dir = mkdtempSync(join(tmpdir(), "migration-lint-"));
const plan = "-- rollback: drop the new column; nothing reads it before this release\n";

function lint(name: string, sql: string) {
  const path = join(dir, name);
  writeFileSync(path, sql);
  return lintMigration(path);
}

const unsafe: Array<[string, string, string]> = [
  ["dropping a column", "ALTER TABLE payouts DROP COLUMN destination;", "ban-drop-column"],
  [
    "renaming a column",
    "ALTER TABLE payouts RENAME COLUMN destination TO target;",
    "renaming-column",
  ],
  [
    "a NOT NULL column without a default",
    "ALTER TABLE payouts ADD COLUMN fee bigint NOT NULL;",
    "adding-required-field",
  ],
  [
    "an index without CONCURRENTLY",
    "CREATE INDEX payouts_fee_idx ON payouts (fee);",
    "require-concurrent-index-creation",
  ],
  [
    "changing a column's type",
    "ALTER TABLE payouts ALTER COLUMN amount TYPE numeric;",
    "changing-column-type",
  ],
  [
    "a constraint validated under lock",
    "ALTER TABLE payouts ADD CONSTRAINT fee_positive CHECK (fee > 0);",
    "constraint-missing-not-valid",
  ],
  ["dropping a table", "DROP TABLE deposits;", "ban-drop-table"],
];

for (const [what, statement, rule] of unsafe) {
  test(`${what} is refused as ${rule}, naming file and line`, () => {
    const findings = lint(`${rule}.sql`, `${plan}\n${statement}\n`);
    assert.equal(
      findings.map((finding) => finding.rule),
      [rule],
    );
    assert.is(findings[0]!.line, 3);
    assert.match(formatFinding(findings[0]!), new RegExp(`${rule}\\.sql:3: ${rule}: \\S`));
  });
}

test("a reviewed exception lets that rule through, and only that rule", () => {
  const excused =
    "-- lint-exception: ban-drop-column reviewed-by @be-lead: nothing reads payouts.note since 0007\n";
  const findings = lint(
    "excused.sql",
    `${plan}${excused}ALTER TABLE payouts DROP COLUMN note;\nALTER TABLE payouts RENAME COLUMN a TO b;\n`,
  );
  assert.equal(
    findings.map((finding) => finding.rule),
    ["renaming-column"],
  );
});

test("an exception without a reviewer or reason is a finding, and excuses nothing", () => {
  const findings = lint(
    "malformed.sql",
    `${plan}-- lint-exception: ban-drop-column because I said so\nALTER TABLE payouts DROP COLUMN note;\n`,
  );
  assert.equal(
    findings.map((finding) => finding.rule),
    ["rollback-plan", "ban-drop-column"],
  );
  assert.match(findings[0]!.message, /reviewed-by <@handle>/);
});

test("an exception that excuses nothing is a finding, so it cannot outlive its reason", () => {
  const findings = lint(
    "unused.sql",
    `${plan}-- lint-exception: ban-drop-column reviewed-by @be-lead: the column went in 0007\nCREATE TABLE fees (id bigint PRIMARY KEY);\n`,
  );
  assert.equal(
    findings.map((finding) => finding.rule),
    ["unused-exception"],
  );
});

test("a migration without a rollback plan or forward-only reason is refused", () => {
  const findings = lint("no-plan.sql", "CREATE TABLE fees (id bigint PRIMARY KEY);\n");
  assert.equal(
    findings.map((finding) => finding.rule),
    ["rollback-plan"],
  );
  assert.match(findings[0]!.message, /-- rollback: .* or "-- forward-only: /);
  assert.equal(
    lint("too-short.sql", "-- forward-only: no\nCREATE TABLE f (id bigint);\n")[0]?.rule,
    "rollback-plan",
  );
});

test("a no-transaction file may build an index concurrently; inside a transaction it may not", () => {
  const concurrently =
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS payouts_fee_idx ON payouts (fee);\n";
  assert.equal(lint("alone.sql", `${plan}-- migrate: no-transaction\n${concurrently}`), []);
  assert.equal(
    lint("in-tx.sql", `${plan}${concurrently}`).map((finding) => finding.rule),
    ["concurrently-in-transaction"],
  );
});

test("every migration in the repository passes and states its rollback plan", () => {
  const files = repositoryMigrations();
  assert.ok(files.some((file) => file.includes(join("services", "kit", "migrations"))));
  assert.ok(files.some((file) => file.includes(join("services", "payments", "migrations"))));
  const findings = files.flatMap(lintMigration);
  assert.equal(findings.map(formatFinding), []);
});

test("review lines do not change a migration's checksum", () => {
  const sql = "CREATE TABLE fees (id bigint PRIMARY KEY);\n";
  assert.is(checksumOf(`${plan}${sql}`), checksumOf(sql));
  assert.is.not(checksumOf(`-- a comment\n${sql}`), checksumOf(sql));
});

test.run();
