/**
 * @module The test command (`npm test [-- <path>...]`): finds every `*.test.ts` under the
 * given paths (default: the whole repository), runs each file as its own uvu process so a
 * file's servers and state die with it, and ends with one line `N passed, N failed`.
 *
 * Files that start real servers run one at a time by default, because the machine has two
 * cores; the files that start none (`file-weight.ts`) run one at a time on a second lane beside
 * them (BREAKWATER_TEST_LIGHT_LANE=0 turns it off). `--jobs N` (or BREAKWATER_TEST_JOBS) runs
 * N files of any kind at once instead. Each file runs through
 * `run-file.ts`, which prints why it failed (a hook or an import that threw, what was running
 * at the timeout) and ends it as soon as its tests are done.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { startsServers } from "./file-weight";

const root = resolve(import.meta.dirname, "..");
const skippedDirectories = new Set(["node_modules", "rendered", ".breakwater", ".git", "dist"]);
/** Folders never searched for tests (a path named on the command line is still run). */
const skippedPaths = new Set([
  join(root, "test", "harness", "go"),
  join(root, "test", "bench"),
  join(root, "test", "run-fixtures"),
]);
const runFileScript = join(root, "test", "run-file.ts");
/** How long a file may take to end after the SIGTERM of its timeout before it is killed. */
const timeoutGraceMs = 5000;

interface FileResult {
  readonly file: string;
  /** The first line saying why the file failed, when there is one. */
  readonly reason: string | undefined;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly seconds: number;
}

interface Options {
  readonly paths: string[];
  readonly jobs: number;
  readonly setup: boolean;
  readonly timeoutSeconds: number;
  /** Print the files that would run, one per line, and run nothing. */
  readonly list: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const paths: string[] = [];
  let jobs = Number(process.env.BREAKWATER_TEST_JOBS ?? "1");
  let setup = process.env.BREAKWATER_SKIP_SETUP !== "1";
  let timeoutSeconds = Number(process.env.BREAKWATER_TEST_TIMEOUT_SECONDS ?? "900");
  let list = false;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === "--jobs") jobs = Number(argv[++index]);
    else if (argument === "--no-setup") setup = false;
    else if (argument === "--list") list = true;
    else if (argument === "--timeout") timeoutSeconds = Number(argv[++index]);
    else if (argument.startsWith("--")) fail(`unknown option ${argument}`);
    else paths.push(argument);
  }
  if (!Number.isInteger(jobs) || jobs < 1) fail("--jobs: expected a whole number of at least 1");
  if (!(timeoutSeconds > 0)) fail("--timeout: expected a number of seconds above 0");
  return { paths, jobs, setup, timeoutSeconds, list };
}

function fail(message: string): never {
  console.error(`npm test: ${message}`);
  console.log("0 passed, 1 failed");
  process.exit(2);
}

function findTests(path: string, found: string[], named = false): void {
  if (!named && skippedPaths.has(path)) return;
  const stat = statSync(path);
  if (stat.isFile()) {
    if (path.endsWith(".test.ts")) found.push(path);
    return;
  }
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory() && skippedDirectories.has(entry.name)) continue;
    findTests(join(path, entry.name), found);
  }
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control codes.
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function countFrom(output: string, label: string): number {
  const matches = [...stripAnsi(output).matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, "gm"))];
  return matches.reduce((sum, match) => sum + Number(match[1]), 0);
}

/** The reason lines `run-file.ts` prints (`before hook failed: …`, `timed out in …`). */
// Not anchored to a line start: stderr can land after uvu's progress dots on the same line.
const runFileReason =
  /(?<![\w.])(?:(?:[a-z.]+ hook|import) failed: |uvu stopped in .+?: |timed out in ).*$/m;
/** uvu's report of a failed test: `FAIL "name"`, then the message on the next line. */
const uvuFailure = /^\s*FAIL\s+"(.*)"\n\s*(.*)$/m;

/** The first line that says why a file failed, if it printed one. */
function reasonOf(output: string): string | undefined {
  const text = stripAnsi(output);
  const reason = text.match(runFileReason)?.[0];
  if (reason !== undefined) return reason;
  const failure = text.match(uvuFailure);
  return failure ? `test "${failure[1]}" failed: ${failure[2]}` : undefined;
}

function runFile(file: string, timeoutSeconds: number): Promise<FileResult> {
  const started = Date.now();
  const name = relative(root, file);
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ["--import", "tsx", runFileScript, file], {
      cwd: root,
      env: { ...process.env, BREAKWATER_TEST_FILE: name },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    // The file's stderr alone too: run-file's reason lines go there, and in the combined
    // text a stderr chunk can land in the middle of one of uvu's stdout lines.
    let errors = "";
    const chunks: string[] = [];
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      chunks.push(chunk.toString());
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, name);
      } catch {}
    };
    // SIGTERM first, so the file can say what it was doing and its harness stops its servers.
    const timer = setTimeout(() => {
      timedOut = true;
      signal("SIGTERM");
      killTimer = setTimeout(() => signal("SIGKILL"), timeoutGraceMs);
    }, timeoutSeconds * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      const total = countFrom(output, "Total");
      const passed = countFrom(output, "Passed");
      const skipped = countFrom(output, "Skipped");
      let failed = Math.max(0, total - passed - skipped);
      // A file that crashed, hung or exited non-zero without a failed test still fails.
      if ((code !== 0 || timedOut || total === 0) && failed === 0) failed = 1;
      const seconds = (Date.now() - started) / 1000;
      const verdict = failed > 0 ? "FAIL" : "ok  ";
      console.log(
        `${verdict} ${name} (${passed} passed, ${failed} failed, ${seconds.toFixed(1)}s)`,
      );
      if (failed > 0 || process.env.BREAKWATER_TEST_VERBOSE === "1") {
        const text = chunks.join("").trimEnd();
        if (text) console.log(text.replace(/^/gm, "    "));
        if (timedOut) console.log(`    killed after ${timeoutSeconds}s`);
      }
      const why = reasonOf(errors) ?? reasonOf(output);
      const reason = timedOut
        ? [`killed after ${timeoutSeconds}s`, why].filter(Boolean).join(", ")
        : why;
      resolvePromise({ file: name, reason, passed, failed, skipped, seconds });
    });
  });
}

function runSetup(): void {
  const setupScript = join(root, "test", "harness", "setup.ts");
  if (!existsSync(setupScript)) return;
  const result = spawnSync(process.execPath, ["--import", "tsx", setupScript, "--quiet"], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) fail("setup of the test servers failed (see above)");
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const found: string[] = [];
  const roots = options.paths.length > 0 ? options.paths.map((path) => resolve(path)) : [root];
  for (const path of roots) {
    if (!existsSync(path)) fail(`no such path: ${relative(process.cwd(), path) || path}`);
    findTests(path, found, true);
  }
  found.sort();
  if (found.length === 0) fail(`no *.test.ts files under ${options.paths.join(", ") || "."}`);
  if (options.list) {
    for (const file of found) console.log(relative(root, file));
    return;
  }
  if (options.setup) runSetup();

  const results: FileResult[] = [];
  const drain = async (queue: string[]) => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      results.push(await runFile(file, options.timeoutSeconds));
    }
  };
  if (options.jobs === 1 && process.env.BREAKWATER_TEST_LIGHT_LANE !== "0") {
    const heavy = found.filter((file) => startsServers(file));
    const light = found.filter((file) => !heavy.includes(file));
    await Promise.all([drain(heavy), drain(light)]);
  } else {
    const queue = [...found];
    await Promise.all(
      Array.from({ length: Math.min(options.jobs, queue.length) }, () => drain(queue)),
    );
  }

  const passed = results.reduce((sum, result) => sum + result.passed, 0);
  const failed = results.reduce((sum, result) => sum + result.failed, 0);
  const skipped = results.reduce((sum, result) => sum + result.skipped, 0);
  const failedFiles = results
    .filter((result) => result.failed > 0)
    .map((result) => (result.reason ? `${result.file}: ${result.reason}` : result.file));
  if (failedFiles.length > 0) console.log(`\nfailed files:\n  ${failedFiles.join("\n  ")}`);
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
