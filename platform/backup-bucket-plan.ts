/**
 * @module Which backup bucket the platform program creates for an environment. An environment
 * whose object store is Amazon S3 (`https://s3.<region>.amazonaws.com`) gets its bucket from
 * the program, in that region; any other endpoint (dev's in-cluster MinIO) is provided outside
 * the program, which then creates nothing for it.
 */
import { retentionDays } from "../charts/retention";
import type { Environment } from "../environments";

/** What the `BackupBucket` component creates. */
export interface BackupBucketPlan {
  readonly bucket: string;
  readonly region: string;
  /**
   * How long an overwritten or deleted object stays recoverable: the longest backup retention
   * of the environment's databases, so a backup that barman-cloud expired (or someone deleted)
   * can still be brought back for that long.
   */
  readonly noncurrentVersionDays: number;
  /** Multipart uploads that never finished (an interrupted base backup) are removed after. */
  readonly incompleteUploadDays: number;
}

const amazonS3Endpoint = /^https:\/\/s3[.-]([a-z0-9-]+)\.amazonaws\.com\/?$/;

/** The plan for `environment`'s bucket, or undefined when the program does not create it. */
export function planBackupBucket(environment: Environment): BackupBucketPlan | undefined {
  const store = environment.objectStore;
  const match = amazonS3Endpoint.exec(store.endpoint);
  if (!match) return undefined;
  if (match[1] !== store.region) {
    throw new Error(
      `objectStore.region: "${store.region}" differs from the endpoint's region "${match[1]}" (${store.endpoint})`,
    );
  }
  const retentions = Object.values(environment.postgres)
    .filter((database) => database.enabled && database.backup.pitr)
    .map((database) => retentionDays(database.backup.retention));
  if (retentions.length === 0) return undefined;
  return {
    bucket: store.bucket,
    region: store.region,
    noncurrentVersionDays: Math.max(...retentions),
    incompleteUploadDays: 7,
  };
}
