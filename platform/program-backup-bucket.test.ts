/**
 * @module The backup bucket each environment's CloudNativePG ObjectStore points at: created by
 * the program on Amazon S3 (versioned, KMS-encrypted, closed to the public, deleted backups
 * kept for the retention, protected from `pulumi destroy`), and left alone elsewhere.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Environment, loadEnvironment } from "../environments";
import { planBackupBucket } from "./backup-bucket-plan";
import { named, ofType, runPlatformStack } from "./testing/mock-stack";

const s3 = "aws:s3/";

for (const [environmentName, retentionDays] of [
  ["staging", 14],
  ["prod", 30],
] as const) {
  test(`${environmentName}: the ObjectStore's bucket is created in its region, hardened`, async () => {
    const environment = loadEnvironment(environmentName);
    const run = await runPlatformStack(environmentName);
    const provider = named(run, "pulumi:providers:aws", "backups");
    assert.is(provider.inputs.region, environment.objectStore.region);
    const bucket = named(run, `${s3}bucket:Bucket`, "backups");
    assert.is(bucket.inputs.bucket, environment.objectStore.bucket);
    assert.is(bucket.inputs.forceDestroy, false);
    const versioning = named(run, `${s3}bucketVersioning:BucketVersioning`, "backups");
    assert.equal(versioning.inputs.versioningConfiguration, { status: "Enabled" });
    const encryption = named(
      run,
      `${s3}bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration`,
      "backups",
    );
    assert.equal(encryption.inputs.rules, [
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true },
    ]);
    const block = named(run, `${s3}bucketPublicAccessBlock:BucketPublicAccessBlock`, "backups");
    for (const flag of [
      "blockPublicAcls",
      "blockPublicPolicy",
      "ignorePublicAcls",
      "restrictPublicBuckets",
    ]) {
      assert.is(block.inputs[flag], true, flag);
    }
    const lifecycle = named(
      run,
      `${s3}bucketLifecycleConfiguration:BucketLifecycleConfiguration`,
      "backups",
    );
    const rules = lifecycle.inputs.rules as Record<string, unknown>[];
    assert.equal(
      rules.map((rule) => rule.noncurrentVersionExpiration),
      [{ noncurrentDays: retentionDays }, undefined],
    );
    // Current objects are barman-cloud's to expire, never the bucket's.
    assert.ok(
      rules.every((rule) => (rule.expiration as { days?: number } | undefined)?.days === undefined),
    );
    assert.ok(lifecycle.dependencyUrns.includes(versioning.urn), "lifecycle before versioning");
    for (const child of [bucket, versioning, encryption, block, lifecycle]) {
      assert.is(child.parentUrn, named(run, "breakwater:platform:BackupBucket", "backups").urn);
    }
    const root = named(run, "kubernetes:argoproj.io/v1alpha1:Application", "breakwater");
    assert.ok(
      root.dependencyUrns.includes(bucket.urn),
      "Argo CD creates the databases before their bucket exists",
    );
  });
}

test("dev: an object store outside Amazon S3 gets no bucket from the program", async () => {
  const run = await runPlatformStack("dev");
  assert.equal(
    run.resources.filter(
      (resource) => resource.type.startsWith("aws:") || resource.type === "pulumi:providers:aws",
    ),
    [],
  );
  assert.is(run.platform.backupBucket, undefined);
  assert.equal(ofType(run, "breakwater:platform:BackupBucket"), []);
});

function withStore(environment: Environment, endpoint: string, region: string): Environment {
  return { ...environment, objectStore: { ...environment.objectStore, endpoint, region } };
}

test("a region that differs from the endpoint's is refused, naming the field", () => {
  const prod = loadEnvironment("prod");
  assert.throws(
    () => planBackupBucket(withStore(prod, "https://s3.eu-west-1.amazonaws.com", "us-east-1")),
    /^objectStore\.region: "us-east-1" differs from the endpoint's region "eu-west-1"/,
  );
});

test("retention is the longest of the databases that archive WAL, months as 30 days", () => {
  const prod = loadEnvironment("prod");
  const payments = prod.postgres.payments;
  const longer = {
    ...prod,
    postgres: {
      ...prod.postgres,
      purchasing: { ...payments, enabled: true, backup: { ...payments.backup, retention: "3m" } },
    },
  };
  assert.is(planBackupBucket(longer)?.noncurrentVersionDays, 90);
});

test.run();
