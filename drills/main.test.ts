/** @module `npm run drill` refuses what it cannot run with one line, before starting anything. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { drills } from "./index";

const main = join(import.meta.dirname, "main.ts");
/** Every scenario of `index.ts`, in its order, as the command lists them. */
const known = Object.keys(drills).join(", ");

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
  assert.is(result.stderr, `drill: no scenario given; known scenarios: ${known}\n`);
});

test("an unknown scenario is named", () => {
  const result = drill(["flood"]);
  assert.is(result.code, 2);
  assert.is(result.stderr, `drill: unknown scenario "flood"; known scenarios: ${known}\n`);
  assert.ok(known.includes("kafka-outage"));
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
