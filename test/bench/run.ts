/**
 * @module `npm run bench -- <name>`: runs `test/bench/<name>.ts`, which prints its figures and
 * ends with one JSON line holding its result. Benchmarks measure; tests never time anything.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const here = import.meta.dirname;
const available = readdirSync(here)
  .filter((file) => file.endsWith(".ts") && file !== "run.ts" && !file.endsWith(".test.ts"))
  .map((file) => file.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !existsSync(join(here, `${name}.ts`))) {
  console.error(
    `npm run bench: expected a benchmark name, one of: ${available.join(", ") || "(none yet)"}`,
  );
  process.exit(2);
}
const result = spawnSync(process.execPath, ["--import", "tsx", join(here, `${name}.ts`), ...rest], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
