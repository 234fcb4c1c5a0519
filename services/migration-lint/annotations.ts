/**
 * @module What a migration says to its reviewers, in comment lines of its own: how it is
 * reverted (`-- rollback: <how>`) or why it cannot be (`-- forward-only: <why>`), the
 * handbook's rollback plan, and each linter rule it is allowed to break with who reviewed
 * that and why (`-- lint-exception: <rule> reviewed-by <@handle>: <reason>`). These lines
 * are left out of the migration's checksum (services/kit/migrations.ts).
 */

/** A linter rule a migration may break, with who allowed it and why. */
export interface LintException {
  readonly rule: string;
  readonly reviewer: string;
  readonly reason: string;
  /** 1-based line of the comment. */
  readonly line: number;
}

export interface MigrationAnnotations {
  /** How to revert, or why the migration is forward-only. */
  readonly revert?: { readonly kind: "rollback" | "forward-only"; readonly text: string };
  readonly exceptions: readonly LintException[];
  /** One line per malformed or missing annotation. */
  readonly problems: readonly string[];
}

const annotationPattern = /^-- (rollback|forward-only|lint-exception):(.*)$/;
const exceptionPattern = /^\s*([a-z][a-z-]+) reviewed-by (@[\w.-]+): (\S.{9,})$/;
/** A revert plan shorter than this says nothing a reviewer can act on. */
const revertTextMin = 10;

/**
 * Read the annotations of one migration's text.
 *
 * @example annotationsOf("-- forward-only: creates tables nothing else reads yet\nCREATE TABLE t ();")
 */
export function annotationsOf(sql: string): MigrationAnnotations {
  const exceptions: LintException[] = [];
  const problems: string[] = [];
  const reverts: Array<{ kind: "rollback" | "forward-only"; text: string }> = [];
  sql.split(/\r?\n/).forEach((content, index) => {
    const match = annotationPattern.exec(content);
    if (!match) return;
    const [, kind, rest = ""] = match;
    const line = index + 1;
    if (kind === "lint-exception") {
      const exception = exceptionPattern.exec(rest);
      if (exception) {
        exceptions.push({
          rule: exception[1]!,
          reviewer: exception[2]!,
          reason: exception[3]!,
          line,
        });
      } else {
        problems.push(
          `line ${line}: expected "-- lint-exception: <rule> reviewed-by <@handle>: <reason of 10+ characters>"`,
        );
      }
      return;
    }
    if (rest.trim().length < revertTextMin) {
      problems.push(`line ${line}: "-- ${kind}:" needs a plan of ${revertTextMin}+ characters`);
      return;
    }
    reverts.push({ kind: kind as "rollback" | "forward-only", text: rest.trim() });
  });
  if (reverts.length === 0) {
    problems.push(
      'no rollback plan: add "-- rollback: <how to revert>" or "-- forward-only: <why it cannot be reverted>"',
    );
  }
  if (reverts.length > 1) problems.push("more than one rollback / forward-only line");
  return { revert: reverts[0], exceptions, problems };
}
