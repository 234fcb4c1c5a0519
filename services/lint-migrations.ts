/**
 * @module `npm run lint:migrations [file.sql ...]`: lint the given migrations (default: every
 * migration in the repository) with services/migration-lint/lint.ts; one line per finding,
 * exit 1 when there is any.
 */
import { resolve } from "node:path";
import { formatFinding, lintMigration, repositoryMigrations } from "./migration-lint/lint";

const files =
  process.argv.length > 2
    ? process.argv.slice(2).map((path) => resolve(path))
    : repositoryMigrations();
const findings = files.flatMap(lintMigration);
for (const finding of findings) process.stdout.write(`${formatFinding(finding)}\n`);
process.stdout.write(`${files.length} migrations linted, ${findings.length} findings\n`);
process.exit(findings.length === 0 ? 0 : 1);
