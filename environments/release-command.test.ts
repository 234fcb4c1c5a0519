/**
 * @module `npm run release` in a temporary repository holding this working tree: a release of
 * prod to a new tag changes exactly `environments/prod.ts` and the prod Deployments' and hook
 * Jobs' image lines, in one commit; the rollback to the previous tag restores the tree byte
 * for byte; an unknown environment, a malformed tag and a dirty tree are refused with one line
 * and change nothing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeTempDir } from "../test/harness/process";

const root = join(import.meta.dirname, "..");
let repo: string;

function git(args: string[]): string {
  return execFileSync("git", args, { cwd: repo, encoding: "utf8" });
}

function releaseCommand(args: string[]) {
  return spawnSync(
    join(repo, "node_modules", ".bin", "tsx"),
    ["environments/release.ts", ...args],
    {
      cwd: repo,
      encoding: "utf8",
    },
  );
}

test.before(() => {
  repo = makeTempDir("release");
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    cpSync(join(root, file), join(repo, file));
  }
  symlinkSync(join(root, "node_modules"), join(repo, "node_modules"));
  git(["init", "--quiet"]);
  git(["add", "-A"]);
  git([
    "-c",
    "user.name=release-test",
    "-c",
    "user.email=release@test",
    "commit",
    "--quiet",
    "-m",
    "base",
  ]);
  git(["config", "user.name", "release-test"]);
  git(["config", "user.email", "release@test"]);
});

test("a release changes only prod's pin and prod's image lines, in one commit", () => {
  const result = releaseCommand(["prod", "0.2.0"]);
  assert.is(result.status, 0, result.stderr);
  assert.match(
    result.stdout,
    /^prod: 0\.1\.0 -> 0\.2\.0, rendered\/prod re-rendered, committed [0-9a-f]{12}\n$/,
  );
  assert.is(git(["status", "--porcelain"]), "");
  assert.is(git(["log", "-1", "--format=%s"]).trim(), "Release 0.2.0 to prod (was 0.1.0)");
  const changed = git(["diff", "--name-only", "HEAD~1", "HEAD"]).trim().split("\n");
  assert.ok(changed.includes("environments/prod.ts"));
  assert.ok(
    changed.every((file) => file === "environments/prod.ts" || file.startsWith("rendered/prod/")),
    changed.join(" "),
  );
  assert.ok(changed.some((file) => file.includes("deployment-breakwater-services-payments")));
  assert.ok(changed.some((file) => file.includes("job-breakwater-services-payments-migrate")));
  assert.ok(
    changed.some((file) => file.includes("deployment-breakwater-system-breakwater-operator")),
    changed.join(" "),
  );
  const lines = git(["diff", "--unified=0", "HEAD~1", "HEAD"])
    .split("\n")
    .filter((line) => /^[-+](?![-+]{2} )/.test(line));
  const removed = lines.filter((line) => line.startsWith("-"));
  const added = lines.filter((line) => line.startsWith("+"));
  assert.equal(
    removed.map((line) => line.replace("0.1.0", "0.2.0").slice(1)),
    added.map((line) => line.slice(1)),
  );
  assert.ok(
    added.every(
      (line) =>
        line.includes("ghcr.io/breakwater/breakwater:0.2.0") ||
        line === '+const release = "0.2.0";',
    ),
    added.join("\n"),
  );
});

test("the rollback is the same command with the previous tag, and restores the tree", () => {
  const result = releaseCommand(["prod", "0.1.0"]);
  assert.is(result.status, 0, result.stderr);
  assert.is(git(["diff", "HEAD~2", "HEAD", "--stat"]), "");
  assert.is(git(["log", "-1", "--format=%s"]).trim(), "Release 0.1.0 to prod (was 0.2.0)");
});

test("--no-commit leaves the change in the tree for review", () => {
  const result = releaseCommand(["staging", "0.3.0-rc.1", "--no-commit"]);
  assert.is(result.status, 0, result.stderr);
  assert.match(result.stdout, /not committed/);
  const changed = git(["status", "--porcelain"]).trim().split("\n");
  assert.ok(
    changed.every((line) => / (environments\/staging\.ts|rendered\/staging\/)/.test(line)),
    changed.join("\n"),
  );
});

test("a dirty tree, an unknown environment and a malformed tag are refused with one line", () => {
  const dirty = releaseCommand(["dev", "0.4.0"]);
  assert.is(dirty.status, 1);
  assert.match(dirty.stderr, /^release: the working tree has uncommitted changes: .*\n$/);
  git(["checkout", "--quiet", "--", "."]);
  writeFileSync(join(repo, "scratch.txt"), "x");
  assert.match(releaseCommand(["dev", "0.4.0"]).stderr, /uncommitted changes/);
  git(["clean", "--quiet", "-f"]);
  const unknown = releaseCommand(["qa", "0.4.0"]);
  assert.is(unknown.status, 1);
  assert.is(
    unknown.stderr,
    'release: env: unknown environment "qa" (expected dev, staging, prod)\n',
  );
  for (const tag of ["latest", "v0.4.0", "0.4", "0.4.0;rm"]) {
    const malformed = releaseCommand(["dev", tag]);
    assert.is(malformed.status, 1, tag);
    assert.is(
      malformed.stderr,
      `release: tag: "${tag}" is not a release tag (expected MAJOR.MINOR.PATCH, e.g. 0.2.0)\n`,
    );
  }
  assert.is(git(["status", "--porcelain"]), "");
});

test.run();
