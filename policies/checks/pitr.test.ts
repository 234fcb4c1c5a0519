/** @module Tests that the PITR check passes prod and catches every way PITR can be lost. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { prodManifests, withChanged } from "./fixtures";
import { pointInTimeRecovery } from "./pitr";

const prod = prodManifests();

test("prod as rendered has PITR on every database", () => {
  assert.equal(pointInTimeRecovery.run(prod), []);
});

test("a cluster without the WAL archiver plugin is caught, naming its file", () => {
  const problems = pointInTimeRecovery.run(
    withChanged(prod, "Cluster", (c) => delete c.spec.plugins),
  );
  assert.is(problems.length, 1);
  assert.match(problems[0]!.path, /^prod\/postgres\/cluster-data-plane-[a-z]+-db\.yaml$/);
  assert.match(
    problems[0]!.message,
    "no barman-cloud.cloudnative-pg.io plugin with isWALArchiver: true",
  );
});

test("an object store without retention, or no scheduled backup, is caught", () => {
  const noRetention = withChanged(
    prod,
    "ObjectStore",
    (store) => delete store.spec.retentionPolicy,
  );
  assert.match(pointInTimeRecovery.run(noRetention)[0]!.message, "has no retentionPolicy");
  const suspended = withChanged(prod, "ScheduledBackup", (backup) => (backup.spec.suspend = true));
  assert.match(pointInTimeRecovery.run(suspended)[0]!.message, "no active ScheduledBackup");
  const withoutStore = prod.filter(({ object }) => object.kind !== "ObjectStore");
  assert.match(pointInTimeRecovery.run(withoutStore)[0]!.message, "which is not rendered");
});

test("it applies to prod only", () => {
  assert.equal(pointInTimeRecovery.environments, ["prod"]);
});

test.run();
