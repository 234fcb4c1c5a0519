/**
 * @module Tests Redpanda: the broker count and storage from the environment, SASL users from a
 * Secret (no password in git), and one Topic per topic with its partitions and retention.
 */
import { Testing } from "cdk8s";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEnvironment } from "../environments";
import { RedpandaChart } from "./redpanda-chart";

const manifests = Testing.synth(
  new RedpandaChart(Testing.app(), "redpanda", loadEnvironment("prod")),
);
const cluster = manifests.find((manifest) => manifest.kind === "Redpanda")!;
const topics = manifests.filter((manifest) => manifest.kind === "Topic");

test("the cluster is sized from the environment and takes users from a Secret", () => {
  const spec = cluster.spec.clusterSpec;
  assert.is(spec.statefulset.replicas, 3);
  assert.equal(spec.storage.persistentVolume, {
    enabled: true,
    size: "200Gi",
    storageClass: "ssd",
  });
  assert.equal(spec.auth.sasl, {
    enabled: true,
    mechanism: "SCRAM-SHA-512",
    secretRef: "redpanda-users",
    users: [],
  });
  assert.is(cluster.metadata.annotations["argocd.argoproj.io/sync-options"], "Prune=false");
});

test("TLS is off explicitly, since the chart's default (on, CA in the data namespace) would lock the services out", () => {
  assert.equal(cluster.spec.clusterSpec.tls, { enabled: false });
});

test("every service topic exists with its partitions, replication and retention", () => {
  const byName = new Map(topics.map((topic) => [topic.spec.overwriteTopicName, topic.spec]));
  assert.equal([...byName.keys()].sort(), [
    "breakwater.control-events",
    "escrow.events",
    "exchange.events",
    "exchange.trades",
    "payments.events",
    "purchasing.events",
  ]);
  const payments = byName.get("payments.events");
  assert.is(payments.partitions, 12);
  assert.is(payments.replicationFactor, 3);
  assert.is(payments.additionalConfig["retention.ms"], String(14 * 24 * 60 * 60 * 1000));
  assert.is(byName.get("breakwater.control-events").additionalConfig["retention.ms"], "-1");
  assert.equal(payments.cluster, { clusterRef: { name: "redpanda" } });
});

test.run();
