/**
 * @module One test file under uvu, as `npm test` runs each (`node --import tsx
 * test/run-file.ts <file>`), saying why the file failed where uvu alone would not.
 *
 * uvu prints nothing for an error thrown by a `before` or `after` hook (its runner returns from
 * a `finally` block, which swallows the error: every test is just "not passed"), and nothing
 * for a file that cannot be imported or that hangs. Here every such failure prints one line
 * starting with a reason (`before hook failed: …`, `import failed: …`, `timed out in …`)
 * followed by the stack. When uvu is done the process exits at once: a set-up that failed
 * halfway often leaves a listening server or a client socket behind (nobody holds its handle
 * to close it), and that alone would keep the file alive until the runner's timeout.
 *
 * Only uvu's default `test` is instrumented (every file here uses it); a `suite()` of a file's
 * own keeps uvu's silence about its hooks.
 */
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";

/** What the file is doing, for the line printed when it is stopped for taking too long. */
let step = "loading the file";
let hookFailed = false;

/** The first line of the reason, then the full error, indented. */
function report(reason: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0] ?? "";
  console.error(`${reason}: ${firstLine}`);
  console.error(
    inspect(error)
      .split("\n")
      .map((line) => `    ${line}`)
      .join("\n"),
  );
}

type Handler = (state: never) => unknown;
type Register = (handler: Handler) => void;

/**
 * A hook registrar whose hooks say when they fail. A failing `before` hook is rethrown so uvu
 * skips the tests; a failing `after` hook is not (the tests already ran), it fails the file.
 */
function reporting(register: Register, label: string, rethrow: boolean): Register {
  return (handler) =>
    register(async function reportedHook(state) {
      step = label;
      try {
        await handler(state);
      } catch (error) {
        hookFailed = true;
        report(`${label} failed`, error);
        if (rethrow) throw error;
      }
    });
}

/** Wrap the hooks of uvu's default `test` (the one every test file uses). */
async function instrumentUvu(): Promise<typeof import("uvu")> {
  // Queue the file's tests without running them, as uvu's own CLI does, so we can await them.
  const global = globalThis as { UVU_DEFER?: number; UVU_QUEUE?: unknown[][]; UVU_INDEX?: number };
  global.UVU_DEFER = 1;
  global.UVU_QUEUE = [[null]];
  global.UVU_INDEX = 0;
  const uvu = await import("uvu");
  const { test } = uvu;
  const before = test.before as unknown as Register & { each: Register };
  const after = test.after as unknown as Register & { each: Register };
  before.each((state: { __test__: string }) => {
    step = `test "${state.__test__}"`;
  });
  test.before = Object.assign(reporting(before, "before hook", true), {
    each: reporting(before.each, "before.each hook", true),
  }) as typeof test.before;
  test.after = Object.assign(reporting(after, "after hook", false), {
    each: reporting(after.each, "after.each hook", true),
  }) as typeof test.after;
  return uvu;
}

/** On the runner's SIGTERM (its timeout), say what was still running, then end. */
function reportTimeout(): void {
  process.once("SIGTERM", () => {
    console.error(`timed out in ${step}`);
    process.exit(124);
  });
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node --import tsx test/run-file.ts <file.test.ts>");
    process.exit(2);
  }
  reportTimeout();
  const uvu = await instrumentUvu();
  try {
    await import(pathToFileURL(file).href);
  } catch (error) {
    report("import failed", error);
    process.exit(1);
  }
  step = "the before hooks";
  try {
    await uvu.exec();
  } catch (error) {
    // A hook that throws from uvu's `finally` rejects the whole run.
    report(`uvu stopped in ${step}`, error);
    process.exitCode = 1;
  }
  if (hookFailed) process.exitCode = 1;
  // A failed file exits now: whatever is still open (a server a failed set-up started) is the
  // harness's to kill on exit, not a reason to wait for the timeout. A file that passed ends
  // when its work does, so libraries that settle on the way out (Pulumi's mocks count their
  // pending promises at exit) see the ending they expect.
  if (process.exitCode) process.exit();
}

await main();
