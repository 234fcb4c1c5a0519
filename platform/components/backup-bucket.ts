/**
 * @module The S3 bucket that CloudNativePG's ObjectStore archives WAL and base backups into:
 * versioned, encrypted with KMS, closed to the public, with deleted or overwritten objects kept
 * for the environment's retention. The bucket is protected and kept on delete, so neither a
 * `pulumi destroy` nor a renamed resource can remove backups.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BackupBucketPlan } from "../backup-bucket-plan";
import { childOptions } from "./child-options";

export class BackupBucket extends pulumi.ComponentResource {
  readonly provider: aws.Provider;
  readonly bucket: aws.s3.Bucket;
  readonly versioning: aws.s3.BucketVersioning;
  readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration;
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  readonly lifecycle: aws.s3.BucketLifecycleConfiguration;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:BackupBucket", name, {}, opts);
    const plan = args.plan;
    // The environment's region, whatever the machine running Pulumi is configured for.
    this.provider = new aws.Provider(name, { region: plan.region }, childOptions(this, opts));
    const options = { ...childOptions(this, opts), provider: this.provider };
    this.bucket = new aws.s3.Bucket(
      name,
      { bucket: plan.bucket, forceDestroy: false, tags: { "breakwater.dev/purpose": "backup" } },
      { ...options, protect: true, retainOnDelete: true },
    );
    const bucket = this.bucket.id;
    this.versioning = new aws.s3.BucketVersioning(
      name,
      { bucket, versioningConfiguration: { status: "Enabled" } },
      options,
    );
    this.encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" },
            bucketKeyEnabled: true,
          },
        ],
      },
      options,
    );
    this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      name,
      {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      options,
    );
    this.lifecycle = new aws.s3.BucketLifecycleConfiguration(
      name,
      { bucket, rules: lifecycleRules(plan) },
      // S3 refuses noncurrent-version rules on a bucket whose versioning is not on yet.
      { ...options, dependsOn: [this.versioning] },
    );
    this.registerOutputs({ bucket: this.bucket.bucket });
  }
}

/**
 * Current objects are never expired here: barman-cloud removes backups past the ObjectStore's
 * `retentionPolicy` itself, and only it knows which WAL a kept backup still needs.
 */
function lifecycleRules(
  plan: BackupBucketPlan,
): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  return [
    {
      id: "keep-deleted-backups-for-the-retention",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: plan.noncurrentVersionDays },
      expiration: { expiredObjectDeleteMarker: true },
    },
    {
      id: "abort-interrupted-uploads",
      status: "Enabled",
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: plan.incompleteUploadDays },
    },
  ];
}

export interface BackupBucketArgs {
  /** From `planBackupBucket(environment)`. */
  readonly plan: BackupBucketPlan;
}
