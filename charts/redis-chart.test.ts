/**
 * @module Tests that Redis fails over on its own: a replication with the environment's size,
 * a sentinel quorum watching it, a password only by Secret reference, and scraped metrics.
 */
import { Testing } from "cdk8s";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEnvironment } from "../environments";
import { RedisChart } from "./redis-chart";

function synth(name: "dev" | "prod") {
  const manifests = Testing.synth(new RedisChart(Testing.app(), "redis", loadEnvironment(name)));
  return (kind: string) => manifests.find((manifest) => manifest.kind === kind)!;
}

test("prod runs three Redis pods watched by a three-sentinel quorum of two", () => {
  const find = synth("prod");
  const replication = find("RedisReplication");
  assert.is(replication.spec.clusterSize, 3);
  assert.equal(replication.spec.kubernetesConfig.redisSecret, {
    name: "redis-password",
    key: "password",
  });
  assert.is(replication.metadata.annotations["argocd.argoproj.io/sync-options"], "Prune=false");
  const sentinel = find("RedisSentinel").spec;
  assert.is(sentinel.clusterSize, 3);
  assert.is(sentinel.redisSentinelConfig.redisReplicationName, "redis");
  assert.is(sentinel.redisSentinelConfig.quorum, "2");
  assert.equal(sentinel.redisSentinelConfig.redisReplicationPassword, {
    secretKeyRef: { name: "redis-password", key: "password" },
  });
});

test("dev keeps a replica and a single sentinel", () => {
  const find = synth("dev");
  assert.is(find("RedisReplication").spec.clusterSize, 2);
  assert.is(find("RedisSentinel").spec.redisSentinelConfig.quorum, "1");
});

test("the exporter on every Redis pod is scraped", () => {
  const monitor = synth("prod")("PodMonitor").spec;
  assert.equal(monitor.selector.matchLabels, { app: "redis", redis_setup_type: "replication" });
  assert.equal(monitor.podMetricsEndpoints, [{ port: "redis-exporter", interval: "30s" }]);
});

test.run();
