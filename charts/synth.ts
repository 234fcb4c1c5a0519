/**
 * @module `npm run synth`: renders every environment to `rendered/<env>/<app>/*.yaml`, checks
 * it, prints a table, and writes only when everything passed.
 *
 * ```sh
 * npm run synth                                   # render, check, write rendered/
 * npm run synth -- --check                        # exit 1 when rendered/ is stale
 * npm run synth -- --restore payments-db --to 2026-11-22T10:30:00Z [--env prod] [--output f.yaml]
 * ```
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { EnvironmentError, loadAllEnvironments, loadEnvironment } from "../environments";
import { RestoreError, recoveryCluster } from "./recovery";
import { toYaml } from "./render";
import { formatSummary, renderAll } from "./render-all";
import { diffTrees, readTree, replaceTree } from "./write-rendered";

export const renderedRoot = resolve(import.meta.dirname, "..", "rendered");

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
    if (value === undefined || value.startsWith("--"))
      throw new UsageError(`${flag}: expected a value`);
    return value;
  };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index]!;
    if (flag === "--check") options.check = true;
    else if (flag === "--restore") options.restore = argumentAfter(index++, flag);
    else if (flag === "--to") options.to = argumentAfter(index++, flag);
    else if (flag === "--env") options.env = argumentAfter(index++, flag);
    else if (flag === "--output") options.output = argumentAfter(index++, flag);
    else
      throw new UsageError(
        `unknown option ${flag} (expected --check, --restore, --to, --env, --output)`,
      );
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

function restore(options: Options): void {
  const manifest = recoveryCluster({
    environment: loadEnvironment(options.env),
    cluster: options.restore!,
    targetTime: options.to!,
  });
  const text =
    `# Point-in-time restore of ${options.restore} in ${options.env} to ${options.to}.\n` +
    "# Review, then: kubectl apply --server-side -f <this file>. Point the service at the new\n" +
    "# cluster only after checking its data; the old cluster and its backups are untouched.\n" +
    toYaml(manifest);
  if (options.output) {
    writeFileSync(options.output, text);
    console.error(`wrote ${options.output}`);
  } else {
    process.stdout.write(text);
  }
}

function synthesize(options: Options): number {
  const result = renderAll(loadAllEnvironments());
  console.log(formatSummary(result.summary));
  if (result.problems.length > 0) {
    console.error(`\nsynth: ${result.problems.length} problem(s); nothing written:`);
    for (const problem of result.problems) console.error(`  ${problem}`);
    return 1;
  }
  if (options.check) {
    const stale = diffTrees(result.files, readTree(renderedRoot));
    if (stale.length === 0) {
      console.log("\nrendered/ is up to date");
      return 0;
    }
    console.error(`\nsynth: rendered/ is stale in ${stale.length} file(s), run npm run synth:`);
    for (const path of stale.slice(0, 20)) console.error(`  ${path}`);
    return 1;
  }
  replaceTree(renderedRoot, result.files);
  console.log(`\nchecks passed; wrote ${result.files.size} files to rendered/`);
  return 0;
}

function main(argv: readonly string[]): number {
  try {
    const options = parseOptions(argv);
    if (options.restore !== undefined) {
      restore(options);
      return 0;
    }
    return synthesize(options);
  } catch (error) {
    if (error instanceof EnvironmentError) {
      console.error(`synth: invalid environment configuration; nothing written:`);
      for (const problem of error.problems) console.error(`  ${problem}`);
      return 1;
    }
    if (error instanceof RestoreError || error instanceof UsageError) {
      console.error(`synth: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = main(process.argv.slice(2));
