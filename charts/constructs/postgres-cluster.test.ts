/**
 * @module Tests that a domain's PostgreSQL is restorable to any point in time: WAL archived by
 * the barman-cloud plugin to an ObjectStore with the environment's retention, and scheduled
 * base backups through the plugin.
 */
import { Chart, Testing } from "cdk8s";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Environment, loadEnvironment } from "../../environments";
import { PostgresCluster } from "./postgres-cluster";

type Manifest = {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: any;
};

function synth(environment: Environment): Manifest[] {
  const chart = new Chart(Testing.app(), "test", { disableResourceNameHashes: true });
  new PostgresCluster(chart, "payments", { environment, domain: "payments" });
  return Testing.synth(chart) as Manifest[];
}

const byKind = (manifests: Manifest[], kind: string) => manifests.find((m) => m.kind === kind)!;

test("prod's cluster archives WAL through the barman-cloud plugin to its own ObjectStore", () => {
  const manifests = synth(loadEnvironment("prod"));
  const cluster = byKind(manifests, "Cluster");
  assert.is(cluster.metadata.name, "payments-db");
  assert.equal(cluster.spec.plugins, [
    {
      name: "barman-cloud.cloudnative-pg.io",
      isWALArchiver: true,
      parameters: { barmanObjectName: "payments-db-backups" },
    },
  ]);
  assert.is(cluster.spec.instances, 3);
  assert.is(cluster.spec.postgresql.parameters.log_min_duration_statement, "200");
  assert.is(cluster.metadata.annotations?.["argocd.argoproj.io/sync-options"], "Prune=false");
});

test("the ObjectStore keeps the environment's retention and references credentials by name", () => {
  const store = byKind(synth(loadEnvironment("prod")), "ObjectStore");
  assert.is(store.metadata.name, "payments-db-backups");
  assert.is(store.spec.retentionPolicy, "30d");
  assert.is(store.spec.configuration.destinationPath, "s3://breakwater-prod-postgres-backups/prod");
  assert.equal(store.spec.configuration.s3Credentials.accessKeyId, {
    name: "backup-object-store",
    key: "ACCESS_KEY_ID",
  });
  assert.is(byKind(synth(loadEnvironment("staging")), "ObjectStore").spec.retentionPolicy, "14d");
});

test("a ScheduledBackup takes base backups through the plugin on the configured schedule", () => {
  const backup = byKind(synth(loadEnvironment("prod")), "ScheduledBackup");
  assert.equal(backup.spec, {
    cluster: { name: "payments-db" },
    schedule: "0 0 2 * * *",
    method: "plugin",
    pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" },
    backupOwnerReference: "self",
    immediate: true,
  });
});

test("Prometheus scrapes every instance of the cluster", () => {
  const monitor = byKind(synth(loadEnvironment("prod")), "PodMonitor");
  assert.equal(monitor.spec.selector, { matchLabels: { "cnpg.io/cluster": "payments-db" } });
  assert.equal(monitor.spec.podMetricsEndpoints, [{ port: "metrics", interval: "30s" }]);
});

test("a single-instance dev cluster skips synchronous replication and anti-affinity", () => {
  const cluster = byKind(synth(loadEnvironment("dev")), "Cluster");
  assert.is(cluster.spec.instances, 1);
  assert.is(cluster.spec.postgresql.synchronous, undefined);
  assert.is(cluster.spec.affinity.enablePodAntiAffinity, false);
});

test("without PITR there is no archiver, object store or backup schedule", () => {
  const prod = loadEnvironment("prod");
  const payments = {
    ...prod.postgres.payments,
    backup: { ...prod.postgres.payments.backup, pitr: false },
  };
  const manifests = synth({ ...prod, postgres: { ...prod.postgres, payments } });
  assert.equal(
    manifests.map((m) => m.kind),
    ["Cluster", "PodMonitor"],
  );
  assert.is(manifests[0]!.spec.plugins, undefined);
});

test.run();
