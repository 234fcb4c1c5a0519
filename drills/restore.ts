/**
 * @module `npm run drill -- restore`: a point-in-time recovery rehearsed end to end on real
 * servers, with the tools CloudNativePG's Barman Cloud plugin runs. A PostgreSQL server
 * archives its WAL with barman-cloud into an S3-compatible object store; payments' ledger and
 * audit log take money movements before and after a base backup, then a target time is
 * marked and more movements follow. The drill restores the base backup into a new data
 * directory, replays WAL from the store up to the target, promotes, and checks that exactly
 * what committed by the target is there, that the ledger balances and the audit chain
 * verifies. It reports RPO (last commit → its WAL in the store) and RTO (restore start →
 * verified, writable server).
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createPool, type Pool } from "../services/kit/db";
import { type ObjectStore, startObjectStore } from "../test/harness/object-store";
import { type PostgresServer, startPostgres } from "../test/harness/postgres";
import { makeTempDir, waitUntil } from "../test/harness/process";
import { type Drill, type DrillIo, type DrillReport, DrillUsageError } from "./drill";
import {
  archiveCommand,
  type BarmanStore,
  listBaseBackups,
  restoreBaseBackup,
  restoreCommand,
  takeBaseBackup,
} from "./restore/barman-cloud";
import {
  verifyAuditChain,
  verifyLedgerBalances,
  verifyNothingAfter,
  verifyRowsAtTarget,
} from "./restore/verify";
import { archiveLatestWal } from "./restore/wal-archive";
import {
  countPhase,
  type DataSnapshot,
  moveMoney,
  preparePayments,
  snapshot,
} from "./restore/workload";
import { DrillStepError, Timeline } from "./timeline";

/** The longest a finished WAL segment waits before it is archived: the RPO bound. */
const archiveTimeoutSeconds = 60;
const bucket = "breakwater-drill-backups";

interface RestoreOptions {
  /** Movements committed in each phase. @default 50 */
  readonly transactions: number;
}

function parseOptions(args: readonly string[]): RestoreOptions {
  let transactions = 50;
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index];
    if (argument !== "--transactions") {
      throw new DrillUsageError(
        `restore: unknown argument "${argument}"; usage: restore [--transactions <1-5000>]`,
      );
    }
    transactions = Number(args[index + 1]);
    index += 1;
    if (!Number.isInteger(transactions) || transactions < 1 || transactions > 5000) {
      throw new DrillUsageError(
        `restore: --transactions expects a whole number from 1 to 5000, got "${args[index] ?? ""}"`,
      );
    }
  }
  return { transactions };
}

/** Servers and pools to close whatever happens. */
class Resources {
  private readonly closers: (() => Promise<void>)[] = [];
  add<T extends { stop(): Promise<void> } | { end(): Promise<void> }>(resource: T): T {
    this.closers.push(() => ("stop" in resource ? resource.stop() : resource.end()));
    return resource;
  }
  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => {});
  }
}

interface Source {
  readonly server: PostgresServer;
  readonly pool: Pool;
  readonly store: BarmanStore;
  readonly objectStore: ObjectStore;
}

async function startSource(timeline: Timeline, resources: Resources): Promise<Source> {
  const objectStore = await timeline.step(
    "start the object store",
    async () => {
      const started = resources.add(await startObjectStore());
      await started.createBucket(bucket);
      return started;
    },
    (started) => `${started.endpointUrl}, bucket ${bucket}`,
  );
  const store: BarmanStore = {
    endpointUrl: objectStore.endpointUrl,
    destinationPath: `s3://${bucket}/payments`,
    serverName: "payments-db",
    credentials: objectStore.credentials,
  };
  const server = await timeline.step(
    "start PostgreSQL archiving WAL",
    async () =>
      resources.add(
        await startPostgres({
          settings: {
            archive_mode: "on",
            archive_command: archiveCommand(store),
            archive_timeout: `${archiveTimeoutSeconds}s`,
          },
        }),
      ),
    (started) => `port ${started.port}, archive_timeout ${archiveTimeoutSeconds} s`,
  );
  const pool = resources.add(createPool(await server.createDatabase("payments")));
  await timeline.step("migrate payments", () => preparePayments(pool));
  return { server, pool, store, objectStore };
}

interface Target {
  readonly time: string;
  readonly expected: DataSnapshot;
  readonly backupId: string;
}

/** Movements, the base backup between them, and the target time after the second batch. */
async function writeHistory(timeline: Timeline, source: Source, count: number): Promise<Target> {
  const { pool, store, server } = source;
  await timeline.step(
    "move money before the base backup",
    () => moveMoney(pool, "before-backup", count),
    () => `${count} transactions`,
  );
  const backup = await timeline.step(
    "take the base backup",
    async () => {
      await takeBaseBackup(store, server);
      const backups = await listBaseBackups(store);
      const latest = backups.at(-1);
      if (latest === undefined) throw new Error("barman-cloud-backup-list shows no backup");
      return latest;
    },
    (latest) => `${latest.backupId}, ended ${latest.endTime}`,
  );
  await timeline.step(
    "move money after the base backup",
    () => moveMoney(pool, "after-backup", count),
    () => `${count} transactions`,
  );
  const target = await timeline.step(
    "mark the recovery target",
    async () => {
      const expected = await snapshot(pool);
      const clock = await pool.query<{ at: string }>("SELECT clock_timestamp()::text AS at");
      return { time: clock.rows[0]!.at, expected, backupId: backup.backupId };
    },
    (marked) => `${marked.time}, ${marked.expected.transactions} transactions`,
  );
  await timeline.step(
    "move money after the target",
    () => moveMoney(pool, "after-target", count),
    () => `${count} transactions`,
  );
  return target;
}

/** Download the base backup, replay WAL to the target, wait for promotion. */
async function recover(
  timeline: Timeline,
  resources: Resources,
  source: Source,
  target: Target,
): Promise<PostgresServer> {
  const downloaded = await timeline.step("download the base backup", async () => {
    const dataDir = join(makeTempDir("restore"), "data");
    await restoreBaseBackup(source.store, target.backupId, dataDir);
    return dataDir;
  });
  return timeline.step(
    "replay WAL to the target and promote",
    async () => {
      const server = resources.add(
        await startPostgres({
          settings: {
            restore_command: restoreCommand(source.store),
            recovery_target_time: target.time,
            recovery_target_action: "promote",
            // A restored server must never write into the backups it came from.
            archive_mode: "off",
          },
          initialise: async (dataDir) => {
            rmSync(dataDir, { recursive: true, force: true });
            renameSync(downloaded, dataDir);
            writeFileSync(join(dataDir, "recovery.signal"), "");
          },
          timeoutMs: 300_000,
        }),
      );
      const admin = resources.add(createPool(server.url, undefined, { max: 1 }));
      await waitUntil(
        "promotion after recovery",
        async () =>
          !(await admin.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r")).rows[0]!.r,
        { timeoutMs: 300_000, intervalMs: 200 },
      );
      return server;
    },
    (server) => `port ${server.port}, writable`,
  );
}

async function verify(
  timeline: Timeline,
  resources: Resources,
  restored: PostgresServer,
  target: Target,
  count: number,
): Promise<void> {
  const databaseUrl = restored.url.replace(/\/postgres$/, "/payments");
  const pool = resources.add(createPool(databaseUrl));
  await timeline.step(
    "verify the rows up to the target",
    async () => {
      const replayed = await countPhase(pool, "after-backup");
      if (replayed !== count)
        throw new Error(`${replayed} of ${count} transactions after the base backup came back`);
      return verifyRowsAtTarget(pool, target.expected);
    },
    (detail) => detail,
  );
  await timeline.step(
    "verify nothing after the target",
    () => verifyNothingAfter(pool, "after-target"),
    (detail) => detail,
  );
  await timeline.step(
    "verify the ledger balances",
    () => verifyLedgerBalances(pool),
    (detail) => detail,
  );
  await timeline.step(
    "verify the audit chain",
    () => verifyAuditChain(databaseUrl, target.expected.auditRows),
    (detail) => detail,
  );
}

async function rehearse(
  timeline: Timeline,
  resources: Resources,
  options: RestoreOptions,
): Promise<DrillReport["measured"]> {
  const source = await startSource(timeline, resources);
  const target = await writeHistory(timeline, source, options.transactions);
  const lastCommitMs = Date.now();
  const archived = await timeline.step(
    "archive the last WAL segment",
    () => archiveLatestWal(source.pool, source.objectStore, bucket),
    (segment) => segment,
  );
  const rpoSeconds = (Date.now() - lastCommitMs) / 1000;
  const restoreStartedMs = Date.now();
  const restored = await recover(timeline, resources, source, target);
  await verify(timeline, resources, restored, target, options.transactions);
  return {
    rpoSeconds,
    rpoBoundSeconds: archiveTimeoutSeconds,
    rtoSeconds: (Date.now() - restoreStartedMs) / 1000,
    targetTime: target.time,
    baseBackup: target.backupId,
    lastArchivedWal: archived,
    transactionsRestored: target.expected.transactions,
    totalSeconds: timeline.elapsedMs() / 1000,
  };
}

async function runRestoreDrill(args: readonly string[], io?: DrillIo): Promise<DrillReport> {
  const options = parseOptions(args);
  const timeline = new Timeline(io?.onStep);
  const resources = new Resources();
  try {
    const measured = await rehearse(timeline, resources, options);
    return { scenario: "restore", ok: true, steps: timeline.steps, measured };
  } catch (error) {
    if (!(error instanceof DrillStepError)) throw error;
    const failed = { failedStep: error.step, error: error.message };
    return { scenario: "restore", ok: false, steps: timeline.steps, measured: {}, ...failed };
  } finally {
    await resources.close();
  }
}

export const restoreDrill: Drill = {
  summary: "point-in-time recovery of payments from barman-cloud backups in an object store",
  run: runRestoreDrill,
};
