/**
 * @module Nothing in the repository refers to a path outside it: every text file that git
 * tracks (or would track) passes `outside-paths.ts`, and the rule itself flags what it should
 * and lets system paths, bare folders and URLs be.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { outsidePaths } from "./outside-paths";

const root = join(import.meta.dirname, "..");

// Built from parts so that this file does not hold the paths it tests for.
const up = "../";
const slash = "/";

/** Tracked files and new files that are not ignored: what a commit would hold. */
function repositoryFiles(): string[] {
  const listed = execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    { cwd: root, encoding: "utf8" },
  );
  return listed.split("\0").filter((file) => file !== "" && file !== "package-lock.json");
}

/** A file's text, or undefined for a binary file (a NUL byte early on) or one deleted. */
function textOf(file: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(root, file));
  } catch {
    return undefined;
  }
  return bytes.subarray(0, 8000).includes(0) ? undefined : bytes.toString("utf8");
}

test("no file of the repository refers to a path outside it", () => {
  const files = repositoryFiles();
  assert.ok(files.includes("test/outside-paths.ts"), "git lists the repository's files");
  const found = files.flatMap((file) => {
    const text = textOf(file);
    return text === undefined ? [] : outsidePaths(root, file, text);
  });
  assert.equal(
    found.map((entry) => `${entry.file}:${entry.line}: ${entry.path} (${entry.why})`),
    [],
  );
});

test("paths above the root, beside the checkout and in one machine's folders are named", () => {
  const text = [
    `const crds = resolve(import.meta.dirname, "${up.repeat(3)}shared/crds");`,
    `C=${up}shared/crds`,
    `see ${slash}work/main/README.md`,
    `cd ${slash}root/checkout && npm test`,
    `HOME=${slash}home/alice/project`,
    `written to ${slash}tmp/contract.md first`,
  ].join("\n");
  assert.equal(
    outsidePaths(root, "test/platform/example.test.ts", text).map(({ line, path, why }) => [
      line,
      path,
      why,
    ]),
    [
      [1, `${up.repeat(3)}shared/crds`, "climbs out of the repository"],
      [2, `${up}shared/crds`, "the folder beside the checkout"],
      [3, `${slash}work/main/README.md`, "an absolute path of one machine"],
      [4, `${slash}root/checkout`, "an absolute path of one machine"],
      [5, `${slash}home/alice/project`, "an absolute path of one machine"],
      [6, `${slash}tmp/contract.md`, "an absolute path of one machine"],
    ],
  );
});

test("imports inside the repository, system paths, bare folders and URLs pass", () => {
  const text = [
    `import { chartPins } from "${up.repeat(2)}platform/charts";`,
    `[the runbook](${up.repeat(2)}runbooks/payments/PaymentsLedgerImbalance.md)`,
    `volumeMounts: [{ path: "${slash}tmp", volume: tmp }]`,
    `HOME: process.env.HOME ?? "${slash}root"`,
    "spawn('/usr/bin/env', ['kubectl']); readFileSync('/etc/os-release')",
    "copied to /var/cache/breakwater once",
    `see https://example.com${slash}home/alice/work and https://example.com${slash}tmp/x`,
  ].join("\n");
  assert.equal(outsidePaths(root, "charts/alerts/example.ts", text), []);
});

test.run();
