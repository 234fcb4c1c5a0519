/**
 * @module `npm run release -- <env> <tag> [--no-commit]`: promote (or roll back to) a release
 * tag in one environment as a commit ready for a pull request; see release-command.ts.
 */
import { resolve } from "node:path";
import { parseReleaseArguments, ReleaseError, release } from "./release-command";

try {
  const outcome = release(
    resolve(import.meta.dirname, ".."),
    parseReleaseArguments(process.argv.slice(2)),
  );
  const what = outcome.commit
    ? `committed ${outcome.commit.slice(0, 12)}`
    : "not committed (--no-commit)";
  process.stdout.write(
    `${outcome.environment}: ${outcome.previousTag} -> ${outcome.tag}, rendered/${outcome.environment} re-rendered, ${what}\n`,
  );
} catch (error) {
  const known = error instanceof ReleaseError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`release: ${known ? message : `failed: ${message}`}\n`);
  process.exit(1);
}
