/**
 * @module Closing the WAL segment that holds the latest commit and waiting until it is in the
 * object store: the end of what a recovery can reach. PostgreSQL reports the archiver's
 * progress in `pg_stat_archiver`; the drill also lists the store, so a segment PostgreSQL
 * believes archived but the store lacks is a failure.
 */
import type { Pool } from "../../services/kit/db";
import type { ObjectStore } from "../../test/harness/object-store";
import { waitUntil } from "../../test/harness/process";

interface ArchiverState {
  readonly last_archived_wal: string | null;
  readonly last_failed_wal: string | null;
  readonly failed_count: string;
}

/** Switch to a new segment, wait for the old one in the store; returns its name. */
export async function archiveLatestWal(
  pool: Pool,
  objectStore: ObjectStore,
  bucket: string,
): Promise<string> {
  const current = await pool.query<{ segment: string }>(
    "SELECT pg_walfile_name(pg_current_wal_lsn()) AS segment",
  );
  const segment = current.rows[0]!.segment;
  await pool.query("SELECT pg_switch_wal()");
  let state: ArchiverState | undefined;
  await waitUntil(
    `WAL segment ${segment} archived`,
    async () => {
      const result = await pool.query<ArchiverState>(
        "SELECT last_archived_wal, last_failed_wal, failed_count::text FROM pg_stat_archiver",
      );
      state = result.rows[0];
      if (state?.last_failed_wal && state.last_failed_wal >= segment) {
        throw new Error(
          `archive_command failed for ${state.last_failed_wal} (${state.failed_count} failures)`,
        );
      }
      return (state?.last_archived_wal ?? "") >= segment;
    },
    { timeoutMs: 120_000, intervalMs: 200 },
  );
  const keys = await objectStore.listKeys(bucket);
  if (!keys.some((key) => key.includes(`/wals/`) && key.includes(segment))) {
    throw new Error(`PostgreSQL reports ${segment} archived but the object store does not hold it`);
  }
  return segment;
}
