/**
 * @module `npm test` says why a file failed in every case, on the small fixture files of
 * `test/run-fixtures/` (never searched for tests themselves): a hook or an import that threw,
 * a failed assertion, and a file stopped by its timeout; a file whose set-up failed ends on
 * its own instead of waiting for the timeout.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = join(import.meta.dirname, "..");

interface RunnerResult {
  readonly code: number | null;
  readonly output: string;
  /** The runner's last line, `N passed, N failed`. */
  readonly summary: string;
  /** The fixture's line in the "failed files" list. */
  readonly listed: string | undefined;
}

/** `npm test -- --no-setup [options] test/run-fixtures/<fixture>.test.ts`. */
function runFixture(fixture: string, options: readonly string[] = []): RunnerResult {
  const file = `test/run-fixtures/${fixture}.test.ts`;
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", join(root, "test", "run.ts"), "--no-setup", ...options, file],
    { cwd: root, encoding: "utf8", env: { ...process.env, BREAKWATER_TEST_VERBOSE: "0" } },
  );
  const output = result.stdout + result.stderr;
  const lines = output.trimEnd().split("\n");
  return {
    code: result.status,
    output,
    summary: lines.at(-1) ?? "",
    listed: lines.find((line) => line.startsWith(`  ${file}`))?.trim(),
  };
}

test("a before hook that throws is named with its error, and the file ends on its own", () => {
  // The hook leaves a listening server behind; a generous timeout shows the file was not
  // ended by it.
  const result = runFixture("before-throws", ["--timeout", "600"]);
  assert.is(result.code, 1);
  assert.is(result.summary, "0 passed, 1 failed");
  assert.is(
    result.listed,
    "test/run-fixtures/before-throws.test.ts: before hook failed: postgres: the fixture's server did not start",
  );
  assert.match(result.output, /before-throws\.test\.ts:\d+:\d+/, "the stack points at the hook");
  assert.not.match(result.output, /killed after/);
});

/** Fixture, runner options, the summary line and the fixture's line in "failed files". */
const cases = [
  ["import-fails", [], "0 passed, 1 failed", "import failed: FIXTURE_SETTING is not set"],
  [
    "after-throws",
    [],
    "1 passed, 1 failed",
    "after hook failed: could not stop the fixture's server",
  ],
  [
    "test-fails",
    [],
    "1 passed, 1 failed",
    'test "compares balances" failed: balances differ  (is)',
  ],
  [
    "hangs",
    ["--timeout", "2"],
    "0 passed, 1 failed",
    'killed after 2s, timed out in test "waits forever"',
  ],
] as const;

for (const [fixture, options, summary, reason] of cases) {
  test(`${fixture}: the file fails and the list of failed files says why`, () => {
    const result = runFixture(fixture, options);
    assert.is(result.code, 1);
    assert.is(result.summary, summary);
    assert.is(result.listed, `test/run-fixtures/${fixture}.test.ts: ${reason}`);
  });
}

test("the fixtures run only when named: searching their parent folder skips them", () => {
  const list = (path: string) =>
    spawnSync(process.execPath, ["--import", "tsx", join(root, "test", "run.ts"), "--list", path], {
      cwd: root,
      encoding: "utf8",
    }).stdout.split("\n");
  const underTest = list("test");
  assert.ok(underTest.includes("test/run.test.ts"), underTest.join("\n"));
  assert.not.ok(
    underTest.some((file) => file.startsWith("test/run-fixtures/")),
    underTest.join("\n"),
  );
  assert.ok(list("test/run-fixtures").includes("test/run-fixtures/hangs.test.ts"));
});

test.run();
