/** @module `npm run setup` on a machine already set up: it passes, quietly, and says so in one line. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const setupScript = join(import.meta.dirname, "setup.ts");

function runSetup(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", setupScript, ...args], {
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("with everything in place, --quiet prints only the summary line", () => {
  const result = runSetup(["--quiet"]);
  assert.is(result.code, 0, result.stderr);
  assert.is(result.stderr, "");
  assert.match(result.stdout, /^setup: ready in \d+\.\d s\n$/);
});

test("without --quiet, each step says what it found", () => {
  const result = runSetup([]);
  assert.is(result.code, 0, result.stderr);
  for (const step of [
    "debian packages",
    "postgres user",
    "postgres binaries",
    "kafka",
    "kubernetes",
    "python tools",
  ]) {
    assert.match(result.stdout, new RegExp(`^ok +${step}: `, "m"));
  }
  assert.match(result.stdout, /Kafka 3\.9\.\d+ jars cached/);
  assert.match(result.stdout, /barman-cloud 3\.\d+\.\d+ and the S3 server cached/);
});

test.run();
