/**
 * @module `npm run drill -- restore` as a user runs it: a real PostgreSQL archiving WAL with
 * barman-cloud into a real S3-compatible store, a point-in-time recovery into a new data
 * directory, and the checks on what came back.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const repositoryRoot = join(import.meta.dirname, "..");
const transactions = 10;

const steps = [
  "start the object store",
  "start PostgreSQL archiving WAL",
  "migrate payments",
  "move money before the base backup",
  "take the base backup",
  "move money after the base backup",
  "mark the recovery target",
  "move money after the target",
  "archive the last WAL segment",
  "download the base backup",
  "replay WAL to the target and promote",
  "verify the rows up to the target",
  "verify nothing after the target",
  "verify the ledger balances",
  "verify the audit chain",
];

test("restores to the target time exactly, with a balanced ledger and an intact audit chain", () => {
  const result = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repositoryRoot, "drills", "main.ts"),
      "restore",
      "--transactions",
      String(transactions),
    ],
    { cwd: repositoryRoot, encoding: "utf8", timeout: 600_000 },
  );
  assert.is(result.status, 0, `${result.stdout}\n${result.stderr}`);
  const lines = result.stdout.trimEnd().split("\n");
  const timeline = lines.slice(0, -2);
  assert.match(String(lines.at(-2)), /^drill restore passed: 15 steps in \d+\.\d s$/);
  assert.equal(
    timeline.map((line) => steps.find((step) => line.includes(`ok    ${step}`))),
    steps,
    result.stdout,
  );
  const summary = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
  assert.is(summary.drill, "restore");
  assert.is(summary.ok, true);
  // Two phases before the target came back; the phase after it did not.
  assert.is(summary.transactionsRestored, 2 * transactions);
  assert.match(
    String(timeline[11]),
    `${2 * transactions} transactions, ${8 * transactions} entries, ${2 * transactions} audit rows`,
  );
  assert.match(String(timeline[14]), `${2 * transactions} rows chained`);
  for (const figure of ["rpoSeconds", "rtoSeconds"]) {
    assert.ok(typeof summary[figure] === "number" && (summary[figure] as number) > 0, figure);
  }
  assert.is(summary.rpoBoundSeconds, 60);
  assert.match(String(summary.lastArchivedWal), /^[0-9A-F]{24}$/);
});

test.run();
