/**
 * @module The barman-cloud commands the restore drill runs, with the same tools and layout
 * CloudNativePG's Barman Cloud plugin uses: WAL and base backups under
 * `s3://<bucket>/<path>/<serverName>/`, reached through `--endpoint-url`.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { pythonTool } from "../../test/harness/python-tools";

const run = promisify(execFile);

/** Where one PostgreSQL server's backups live, and how to reach the store. */
export interface BarmanStore {
  readonly endpointUrl: string;
  /** `s3://bucket/path` */
  readonly destinationPath: string;
  readonly serverName: string;
  /** The S3 client's environment (keys and region). */
  readonly credentials: Readonly<Record<string, string>>;
}

/** One base backup as `barman-cloud-backup-list --format json` describes it. */
export interface BaseBackup {
  readonly backupId: string;
  readonly endTime: string;
  readonly beginWal: string;
}

function storeArgs(store: BarmanStore): string[] {
  return [
    "--cloud-provider",
    "aws-s3",
    "--endpoint-url",
    store.endpointUrl,
    store.destinationPath,
    store.serverName,
  ];
}

/**
 * A command line PostgreSQL runs itself (`archive_command`, `restore_command`): the server
 * runs it without our environment, so the store's keys come through `env`. `%p`/`%f` stay
 * for PostgreSQL to fill in.
 */
function serverCommand(store: BarmanStore, tool: string, tail: readonly string[]): string {
  const environment = Object.entries(store.credentials).map(([name, value]) => `${name}=${value}`);
  return ["/usr/bin/env", ...environment, pythonTool(tool), ...storeArgs(store), ...tail].join(" ");
}

/** `archive_command`: each finished WAL segment goes to the store. */
export function archiveCommand(store: BarmanStore): string {
  return serverCommand(store, "barman-cloud-wal-archive", ["%p"]);
}

/** `restore_command`: a recovering server fetches each WAL segment it needs. */
export function restoreCommand(store: BarmanStore): string {
  return serverCommand(store, "barman-cloud-wal-restore", ["%f", "%p"]);
}

async function barmanCloud(
  store: BarmanStore,
  tool: string,
  args: readonly string[],
  environment: Readonly<Record<string, string>> = {},
): Promise<string> {
  try {
    const result = await run(pythonTool(tool), [...args], {
      env: { ...process.env, ...store.credentials, ...environment },
      maxBuffer: 16 * 1024 * 1024,
    });
    return result.stdout;
  } catch (error) {
    const { stderr = "", stdout = "" } = error as { stderr?: string; stdout?: string };
    const lines = (stderr || stdout).trim().split("\n");
    throw new Error(`${tool} failed: ${lines.at(-1) || (error as Error).message}`);
  }
}

/** Take a base backup of the server at `connection` (it must run on this machine). */
export async function takeBaseBackup(
  store: BarmanStore,
  connection: { host: string; port: number; user: string; password: string },
): Promise<void> {
  await barmanCloud(
    store,
    "barman-cloud-backup",
    [
      "--immediate-checkpoint",
      "--host",
      connection.host,
      "--port",
      String(connection.port),
      "--user",
      connection.user,
      "--dbname",
      "postgres",
      ...storeArgs(store),
    ],
    { PGPASSWORD: connection.password },
  );
}

/** The base backups in the store, oldest first. */
export async function listBaseBackups(store: BarmanStore): Promise<BaseBackup[]> {
  const output = await barmanCloud(store, "barman-cloud-backup-list", [
    "--format",
    "json",
    ...storeArgs(store),
  ]);
  const parsed = JSON.parse(output) as {
    backups_list: { backup_id: string; end_time: string; begin_wal: string }[];
  };
  return parsed.backups_list.map((backup) => ({
    backupId: backup.backup_id,
    endTime: backup.end_time,
    beginWal: backup.begin_wal,
  }));
}

/** Download base backup `backupId` into the empty folder `dataDir`. */
export async function restoreBaseBackup(
  store: BarmanStore,
  backupId: string,
  dataDir: string,
): Promise<void> {
  await barmanCloud(store, "barman-cloud-restore", [...storeArgs(store), backupId, dataDir]);
}
