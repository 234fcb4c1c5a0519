/**
 * @module The Python tools the harness runs, in one virtual environment built by
 * `npm run setup`: barman-cloud (what CloudNativePG's Barman Cloud plugin runs to archive WAL,
 * take base backups and restore them) and moto's S3-compatible server (the object store).
 *
 * PostgreSQL runs `barman-cloud-wal-archive` itself from `archive_command`, as the OS user that
 * runs the server. Under root that is `postgres`, who cannot enter `/root`, so under root the
 * environment lives beside the shared PostgreSQL binaries and is built on the system's Python,
 * not one installed in a home folder.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { cacheDir } from "./cache";
import { sharedPostgresRoot } from "./postgres-binaries";

const run = promisify(execFile);

/** barman's version; installed without its dependencies (see requirements.txt). */
export const BARMAN_VERSION = "3.19.1";

const requirementsPath = join(import.meta.dirname, "python-tools", "requirements.txt");
const systemPython = "/usr/bin/python3";

/** What the environment is built from, so a changed pin builds a new one. */
function toolsKey(): string {
  return createHash("sha256")
    .update(readFileSync(requirementsPath))
    .update(BARMAN_VERSION)
    .digest("hex")
    .slice(0, 12);
}

/** The environment's folder: shared under root (see the module comment), else in the cache. */
export function pythonToolsDir(): string {
  const root = process.getuid?.() === 0 ? sharedPostgresRoot : cacheDir();
  return join(root, `python-tools-${toolsKey()}`);
}

/** The path of one of the tools' commands, e.g. `barman-cloud-backup` or `moto_server`. */
export function pythonTool(command: string): string {
  const dir = pythonToolsDir();
  if (!existsSync(join(dir, ".complete"))) {
    throw new Error(`python tools: ${command} is not installed in ${dir} (run \`npm run setup\`)`);
  }
  return join(dir, "bin", command);
}

async function runLogged(command: string, args: readonly string[]): Promise<void> {
  try {
    await run(command, [...args], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stderr = "", stdout = "" } = error as { stderr?: string; stdout?: string };
    const tail = (stderr || stdout).trim().split("\n").slice(-5).join(" ");
    throw new Error(`\`${command} ${args.join(" ")}\` failed: ${tail}`);
  }
}

/**
 * Build the environment unless a finished one is there; true when it was built now. A folder
 * left by an interrupted build (no `.complete`) is removed and built again.
 */
export async function ensurePythonTools(log: (line: string) => void = () => {}): Promise<boolean> {
  const dir = pythonToolsDir();
  if (existsSync(join(dir, ".complete"))) return false;
  rmSync(dir, { recursive: true, force: true });
  const python = process.getuid?.() === 0 && existsSync(systemPython) ? systemPython : "python3";
  log(`building ${dir} with ${python}`);
  await runLogged(python, ["-m", "venv", dir]);
  const pip = join(dir, "bin", "pip");
  const quiet = ["--quiet", "--disable-pip-version-check", "--no-input"];
  await runLogged(pip, ["install", ...quiet, "--requirement", requirementsPath]);
  await runLogged(pip, ["install", ...quiet, "--no-deps", `barman==${BARMAN_VERSION}`]);
  writeFileSync(join(dir, ".complete"), `${toolsKey()}\n`);
  return true;
}
