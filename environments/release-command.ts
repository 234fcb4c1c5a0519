/**
 * @module What `npm run release -- <env> <tag> [--no-commit]` does (seed 003's deploy and
 * rollback runbook, the GitOps way): pin the environment's breakwater image to a release tag
 * in `environments/<env>.ts`, re-render `rendered/<env>/`, and commit exactly that, ready for
 * a pull request. A rollback is the same command with the previous tag; git holds the history
 * of what ran where. Refuses an unknown environment, a malformed tag and a dirty tree.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { environmentNames } from "./schema";

/** A wrong argument or state; its message is the one line to print. */
export class ReleaseError extends Error {}

/** MAJOR.MINOR.PATCH with an optional pre-release, as the image build tags it. */
const tagPattern = /^\d+\.\d+\.\d+(-[0-9A-Za-z]+(\.[0-9A-Za-z]+)*)?$/;
/** The one line of `environments/<env>.ts` that pins the release. */
const releaseLinePattern = /^const release = "([^"]+)";$/m;

export interface ReleaseRequest {
  readonly environment: string;
  readonly tag: string;
  readonly commit: boolean;
}

export interface ReleaseOutcome {
  readonly environment: string;
  readonly tag: string;
  readonly previousTag: string;
  /** The commit made, unless `--no-commit`. */
  readonly commit?: string;
}

/** Parse `<env> <tag> [--no-commit]`, or throw {@link ReleaseError} naming the argument. */
export function parseReleaseArguments(argv: readonly string[]): ReleaseRequest {
  const flags = argv.filter((argument) => argument.startsWith("--"));
  const positional = argv.filter((argument) => !argument.startsWith("--"));
  const unknown = flags.find((flag) => flag !== "--no-commit");
  if (unknown) throw new ReleaseError(`unknown option ${unknown} (expected --no-commit)`);
  const [environment, tag, extra] = positional;
  if (environment === undefined || tag === undefined || extra !== undefined) {
    throw new ReleaseError("usage: npm run release -- <env> <tag> [--no-commit]");
  }
  if (!(environmentNames as readonly string[]).includes(environment)) {
    throw new ReleaseError(
      `env: unknown environment "${environment}" (expected ${environmentNames.join(", ")})`,
    );
  }
  if (!tagPattern.test(tag)) {
    throw new ReleaseError(
      `tag: "${tag}" is not a release tag (expected MAJOR.MINOR.PATCH, e.g. 0.2.0)`,
    );
  }
  return { environment, tag, commit: !flags.includes("--no-commit") };
}

function git(root: string, args: string[]): string {
  return execFileSync("git", args, {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * Pin, re-render and commit. `root` is the repository; the render runs `charts/synth.ts` there.
 *
 * @example release("/src/breakwater", { environment: "prod", tag: "0.2.0", commit: true })
 */
export function release(root: string, request: ReleaseRequest): ReleaseOutcome {
  if (git(root, ["status", "--porcelain"]).trim() !== "") {
    throw new ReleaseError(
      "the working tree has uncommitted changes: commit or stash them, so the release commit holds only the release",
    );
  }
  const source = join(root, "environments", `${request.environment}.ts`);
  const text = readFileSync(source, "utf8");
  const previousTag = releaseLinePattern.exec(text)?.[1];
  if (previousTag === undefined) {
    throw new ReleaseError(
      `environments/${request.environment}.ts: no line 'const release = "<tag>";' to change`,
    );
  }
  if (previousTag === request.tag) {
    throw new ReleaseError(`tag: ${request.environment} already runs ${request.tag}`);
  }
  writeFileSync(source, text.replace(releaseLinePattern, `const release = "${request.tag}";`));
  execFileSync(join(root, "node_modules", ".bin", "tsx"), ["charts/synth.ts"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const outcome = { environment: request.environment, tag: request.tag, previousTag };
  if (!request.commit) return outcome;
  git(root, [
    "add",
    "--",
    `environments/${request.environment}.ts`,
    `rendered/${request.environment}`,
  ]);
  git(root, [
    "commit",
    "--quiet",
    "-m",
    `Release ${request.tag} to ${request.environment} (was ${previousTag})`,
  ]);
  return { ...outcome, commit: git(root, ["rev-parse", "HEAD"]).trim() };
}
