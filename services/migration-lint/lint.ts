/**
 * @module The migration linter: squawk (npm `squawk-cli`, https://squawkhq.com/docs/rules)
 * over each migration, refusing backward-incompatible or locking DDL (dropping or renaming a
 * column or table, adding a NOT NULL column without a default, an index built without
 * CONCURRENTLY, changing a column's type, a constraint validated under lock, ...) unless the
 * migration carries a reviewed exception for that rule, plus the rollback-plan check of
 * annotations.ts. `npm run lint:migrations` runs it over the repository.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { z } from "zod";
import { runsWithoutTransaction } from "../kit/migrations";
import { annotationsOf } from "./annotations";

const root = join(import.meta.dirname, "..", "..");
const squawk = join(root, "node_modules", ".bin", "squawk");

/**
 * Rules left out for every file, and why: none of them is about a release breaking the code
 * still running or a table locked under traffic.
 */
export const excludedRules: Readonly<Record<string, string>> = {
  "require-lock-timeout":
    "the migration runner sets lock_timeout on every migration (migrationLockTimeout)",
  "require-statement-timeout":
    "a statement timeout would abort a long backfill half way; the lock timeout is what keeps traffic flowing",
  "prefer-identity": "column type style, not release safety",
  "prefer-bigint-over-int": "column type style, not release safety",
  "prefer-bigint-over-smallint": "column type style, not release safety",
};

const findingSchema = z.object({
  line: z.number(),
  rule_name: z.string(),
  message: z.string(),
});

/** One thing wrong with a migration, as `path:line: rule: message`. */
export interface LintFinding {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly message: string;
}

/** Every migration of the repository: the kit's, the kit's ledger's and each service's. */
export function repositoryMigrations(): string[] {
  const services = join(root, "services");
  const serviceDirs = readdirSync(services, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(services, entry.name, "migrations"));
  return [...serviceDirs, join(services, "kit", "ledger", "migrations")]
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => name.endsWith(".sql"))
        .sort()
        .map((name) => join(dir, name)),
    );
}

function runSquawk(path: string, inTransaction: boolean): z.infer<typeof findingSchema>[] {
  const args = [
    "--reporter=json",
    `--exclude=${Object.keys(excludedRules).join(",")}`,
    ...(inTransaction ? ["--assume-in-transaction"] : []),
    path,
  ];
  let output: string;
  try {
    output = execFileSync(squawk, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    // squawk exits 1 when it reports something; its JSON is on stdout all the same.
    const failed = error as { stdout?: string; stderr?: string };
    if (!failed.stdout?.trim().startsWith("[")) {
      throw new Error(`squawk could not lint ${path}: ${failed.stderr ?? String(error)}`);
    }
    output = failed.stdout;
  }
  return z.array(findingSchema).parse(JSON.parse(output));
}

/**
 * Lint one migration file: squawk's findings less the reviewed exceptions, an exception that
 * excuses nothing (so exceptions do not outlive their reason), and the annotation problems.
 *
 * @example lintMigration("services/payments/migrations/003_fees.sql") // [] when safe
 */
export function lintMigration(path: string): LintFinding[] {
  const sql = readFileSync(path, "utf8");
  const file = relative(root, path);
  const annotations = annotationsOf(sql);
  const findings: LintFinding[] = annotations.problems.map((message) => ({
    file,
    line: Number(/^line (\d+)/.exec(message)?.[1] ?? 1),
    rule: "rollback-plan",
    message,
  }));
  if (!runsWithoutTransaction(sql) && /\bconcurrently\b/i.test(sql)) {
    findings.push({
      file,
      line: sql.split("\n").findIndex((content) => /\bconcurrently\b/i.test(content)) + 1,
      rule: "concurrently-in-transaction",
      message:
        'PostgreSQL refuses CONCURRENTLY inside the transaction a migration runs in: put the statement alone in a file headed "-- migrate: no-transaction"',
    });
  }
  const excused = new Set(annotations.exceptions.map((exception) => exception.rule));
  const reported = runSquawk(path, !runsWithoutTransaction(sql));
  for (const finding of reported) {
    if (excused.has(finding.rule_name)) continue;
    findings.push({
      file,
      line: finding.line + 1,
      rule: finding.rule_name,
      message: finding.message,
    });
  }
  for (const exception of annotations.exceptions) {
    if (reported.some((finding) => finding.rule_name === exception.rule)) continue;
    findings.push({
      file,
      line: exception.line,
      rule: "unused-exception",
      message: `the exception for ${exception.rule} excuses nothing squawk reports here; remove it`,
    });
  }
  return findings.sort((a, b) => a.line - b.line);
}

/** `path:line: rule: message`, the line a reader jumps to. */
export function formatFinding(finding: LintFinding): string {
  return `${finding.file}:${finding.line}: ${finding.rule}: ${finding.message}`;
}
