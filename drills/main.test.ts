/** @module `npm run drill` refuses what it cannot run with one line, before starting anything. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const main = join(import.meta.dirname, "main.ts");

function drill(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", main, ...args], {
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("no scenario: one line listing the scenarios", () => {
  const result = drill([]);
  assert.is(result.code, 2);
  assert.is(result.stdout, "");
  assert.is(
    result.stderr,
    "drill: no scenario given; known scenarios: ledger-imbalance, provider-outage, restore, restore-cluster\n",
  );
});

test("an unknown scenario is named", () => {
  const result = drill(["flood"]);
  assert.is(result.code, 2);
  assert.match(
    result.stderr,
    /^drill: unknown scenario "flood"; known scenarios: ledger-imbalance, provider-outage, restore, restore-cluster\n$/,
  );
});

test("restore: a bad argument is named before any server starts", () => {
  const unknown = drill(["restore", "--fast"]);
  assert.is(unknown.code, 2);
  assert.is(unknown.stdout, "");
  assert.match(unknown.stderr, /^drill: restore: unknown argument "--fast"; usage: /);
  const outOfRange = drill(["restore", "--transactions", "0"]);
  assert.is(outOfRange.code, 2);
  assert.match(outOfRange.stderr, /--transactions expects a whole number from 1 to 5000, got "0"/);
});

test.run();
