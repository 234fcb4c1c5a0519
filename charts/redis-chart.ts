/**
 * @module Redis with replication and automatic failover: an OT-CONTAINER-KIT
 * `RedisReplication` (one primary, replicas, a `<name>-master` Service that follows the
 * primary) watched by a `RedisSentinel` quorum that promotes a replica when the primary dies.
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import type { Environment } from "../environments";
import { keepOnPrune } from "./argo";
import { imageReference, redisName, redisPort, secretNames } from "./conventions";
import { PodMonitor } from "./imports/monitoring-podmonitor-monitoring.coreos.com";
import {
  RedisReplicationSpecKubernetesConfigResourcesLimits as Limits,
  RedisReplication,
  RedisReplicationSpecKubernetesConfigResourcesRequests as Requests,
  RedisReplicationSpecStorageVolumeClaimTemplateSpecResourcesRequests as StorageRequests,
} from "./imports/redis-replication-redis.redis.opstreelabs.in";
import { RedisSentinel } from "./imports/redis-sentinel-redis.redis.opstreelabs.in";
import { componentLabels } from "./labels";
import { poolSelector } from "./node-pools";

/** Redis runs as this non-root user in the OT images. */
const redisUser = 1000;

export class RedisChart extends Chart {
  readonly replication: RedisReplication;
  readonly sentinel: RedisSentinel;

  constructor(scope: Construct, id: string, environment: Environment) {
    super(scope, id, { disableResourceNameHashes: true });
    const redis = environment.redis;
    const namespace = environment.namespaces.data.name;
    const password = { name: secretNames.redisPassword, key: "password" };
    const resources = {
      requests: {
        cpu: Requests.fromString(redis.resources.requests.cpu),
        memory: Requests.fromString(redis.resources.requests.memory),
      },
      limits: {
        cpu: Limits.fromString(redis.resources.limits.cpu),
        memory: Limits.fromString(redis.resources.limits.memory),
      },
    };
    const security = {
      podSecurityContext: { runAsNonRoot: true, runAsUser: redisUser, fsGroup: redisUser },
      nodeSelector: poolSelector(environment, "data"),
    };
    this.replication = new RedisReplication(this, "replication", {
      metadata: {
        name: redisName,
        namespace,
        labels: componentLabels(redisName, "cache", environment.name),
      },
      spec: {
        clusterSize: redis.replicationSize,
        kubernetesConfig: {
          image: imageReference(redis.image),
          imagePullPolicy: "IfNotPresent",
          redisSecret: password,
          resources,
        },
        storage: {
          volumeClaimTemplate: {
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: redis.storage.storageClass,
              resources: { requests: { storage: StorageRequests.fromString(redis.storage.size) } },
            },
          },
        },
        redisExporter: {
          enabled: true,
          image: imageReference(redis.exporterImage),
          resources: {
            requests: { cpu: Requests.fromString("50m"), memory: Requests.fromString("64Mi") },
            limits: { cpu: Limits.fromString("100m"), memory: Limits.fromString("128Mi") },
          },
        },
        ...security,
      },
    });
    keepOnPrune(this.replication);
    // The operator labels replication pods `app: <name>` and names the exporter's port.
    new PodMonitor(this, "pod-monitor", {
      metadata: {
        name: redisName,
        namespace,
        labels: componentLabels(redisName, "cache", environment.name),
      },
      spec: {
        selector: { matchLabels: { app: redisName, redis_setup_type: "replication" } },
        namespaceSelector: { matchNames: [namespace] },
        podMetricsEndpoints: [{ port: "redis-exporter", interval: "30s" }],
      },
    });
    const quorum = Math.floor(redis.sentinelSize / 2) + 1;
    this.sentinel = new RedisSentinel(this, "sentinel", {
      metadata: {
        name: `${redisName}-sentinel`,
        namespace,
        labels: componentLabels(`${redisName}-sentinel`, "cache", environment.name),
      },
      spec: {
        clusterSize: redis.sentinelSize,
        kubernetesConfig: {
          image: imageReference(redis.sentinelImage),
          imagePullPolicy: "IfNotPresent",
          redisSecret: password,
          resources: {
            requests: { cpu: Requests.fromString("50m"), memory: Requests.fromString("64Mi") },
            limits: { cpu: Limits.fromString("100m"), memory: Limits.fromString("128Mi") },
          },
        },
        redisSentinelConfig: {
          redisReplicationName: redisName,
          redisReplicationPassword: { secretKeyRef: password },
          masterGroupName: "breakwater",
          redisPort: String(redisPort),
          quorum: String(quorum),
          downAfterMilliseconds: "5000",
          failoverTimeout: "60000",
          parallelSyncs: "1",
        },
        ...security,
      },
    });
  }
}
