/**
 * @module Tests that `npm run autopilot` stops at start with one line when a setting or a
 * rule is malformed, before it touches the Kubernetes API.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const main = join(import.meta.dirname, "main.ts");

function run(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ["--import", "tsx", main], {
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stderr: result.stderr.trim() };
}

test("a malformed rule stops it with one line naming the file and the field", () => {
  const directory = mkdtempSync(join(tmpdir(), "autopilot-rules-"));
  try {
    writeFileSync(join(directory, "broken.yaml"), "rules:\n  - name: Not A Name\n");
    const { code, stderr } = run({
      AUTOPILOT_WEBHOOK_TOKEN: "a-webhook-token-of-some-length",
      AUTOPILOT_ENVIRONMENT: "prod",
      AUTOPILOT_RULES_DIR: directory,
    });
    assert.is(code, 1);
    assert.is(
      stderr,
      `${join(directory, "broken.yaml")}: rules[0].name: expected lower-case letters, digits and dashes`,
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test("a missing setting stops it with one line naming the variable", () => {
  const { code, stderr } = run({ AUTOPILOT_ENVIRONMENT: "prod" });
  assert.is(code, 1);
  assert.match(stderr, /^AUTOPILOT_WEBHOOK_TOKEN: [^\n]+$/);
});

test.run();
