/**
 * @module What `npm run synth` does, with its inputs passed in so tests can give it a broken
 * environment or a temporary output folder: render every environment, check it, print a
 * table, and write `rendered/` only when everything passed; or render one restore.
 */
import { writeFileSync } from "node:fs";
import { type Environment, EnvironmentError } from "../environments";
import { RuleError } from "../policies/automation/load-rules";
import { RestoreError, recoveryCluster } from "./recovery";
import { yamlText } from "./render";
import { formatSummary, renderAll } from "./render-all";
import { diffTrees, readTree, replaceTree } from "./write-rendered";

export interface SynthContext {
  readonly loadAllEnvironments: () => Environment[];
  readonly loadEnvironment: (name: string) => Environment;
  /** The folder to write, normally `<repo>/rendered`. */
  readonly renderedRoot: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly now?: () => Date;
}

/** A wrong command line; printed as one line. */
class UsageError extends Error {}

interface Options {
  readonly check: boolean;
  readonly restore?: string;
  readonly to?: string;
  readonly env: string;
  readonly output?: string;
}

function parseOptions(argv: readonly string[]): Options {
  const options: { check: boolean; env: string; restore?: string; to?: string; output?: string } = {
    check: false,
    env: "prod",
  };
  const argumentAfter = (index: number, flag: string) => {
    const value = argv[index + 1];
    if (value === undefined || value.startsWith("--")) {
      throw new UsageError(`${flag}: expected a value`);
    }
    return value;
  };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index]!;
    if (flag === "--check") options.check = true;
    else if (flag === "--restore") options.restore = argumentAfter(index++, flag);
    else if (flag === "--to") options.to = argumentAfter(index++, flag);
    else if (flag === "--env") options.env = argumentAfter(index++, flag);
    else if (flag === "--output") options.output = argumentAfter(index++, flag);
    else {
      throw new UsageError(
        `unknown option ${flag} (expected --check, --restore, --to, --env, --output)`,
      );
    }
  }
  if (options.restore !== undefined && options.to === undefined) {
    throw new UsageError(
      "--to: expected the RFC 3339 time to restore to, e.g. --to 2026-11-22T10:30:00Z",
    );
  }
  if (options.to !== undefined && options.restore === undefined) {
    throw new UsageError("--restore: expected the cluster to restore, e.g. --restore payments-db");
  }
  return options;
}

function restore(options: Options, context: SynthContext): number {
  const manifest = recoveryCluster({
    environment: context.loadEnvironment(options.env),
    cluster: options.restore!,
    targetTime: options.to!,
    ...(context.now ? { now: context.now() } : {}),
  });
  const text =
    `# Point-in-time restore of ${options.restore} in ${options.env} to ${options.to}.\n` +
    "# Review, then: kubectl apply --server-side -f <this file>. Point the service at the new\n" +
    "# cluster only after checking its data; the old cluster and its backups are untouched.\n" +
    yamlText(manifest);
  if (options.output) {
    writeFileSync(options.output, text);
    context.stderr(`wrote ${options.output}\n`);
  } else {
    context.stdout(text);
  }
  return 0;
}

function synthesize(options: Options, context: SynthContext): number {
  const result = renderAll(context.loadAllEnvironments());
  context.stdout(`${formatSummary(result.summary)}\n`);
  if (result.problems.length > 0) {
    const lines = result.problems.map((problem) => `  ${problem}\n`).join("");
    context.stderr(`synth: ${result.problems.length} problem(s); nothing written:\n${lines}`);
    return 1;
  }
  if (options.check) {
    const stale = diffTrees(result.files, readTree(context.renderedRoot));
    if (stale.length === 0) {
      context.stdout("rendered/ is up to date\n");
      return 0;
    }
    const lines = stale.map((path) => `  ${path}\n`).join("");
    context.stderr(
      `synth: rendered/ is stale in ${stale.length} file(s); run npm run synth:\n${lines}`,
    );
    return 1;
  }
  replaceTree(context.renderedRoot, result.files);
  context.stdout(`checks passed; wrote ${result.files.size} files to rendered/\n`);
  return 0;
}

/** Runs the command; returns the exit code (0 ok, 1 invalid config or failed checks, 2 usage). */
export function runSynth(argv: readonly string[], context: SynthContext): number {
  try {
    const options = parseOptions(argv);
    if (options.restore !== undefined) return restore(options, context);
    return synthesize(options, context);
  } catch (error) {
    if (error instanceof EnvironmentError) {
      const lines = error.problems.map((problem) => `  ${problem}\n`).join("");
      context.stderr(`synth: invalid environment configuration; nothing written:\n${lines}`);
      return 1;
    }
    if (error instanceof RuleError) {
      context.stderr(`synth: invalid automation rule; nothing written: ${error.message}\n`);
      return 1;
    }
    if (error instanceof RestoreError || error instanceof UsageError) {
      context.stderr(`synth: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
