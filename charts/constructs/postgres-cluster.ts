/**
 * @module `PostgresCluster`: one domain's CloudNativePG cluster with point-in-time recovery
 * the current way: a Barman Cloud plugin `ObjectStore`, the Cluster's WAL archiver plugin,
 * and a daily `ScheduledBackup` through the plugin.
 */
import type { ApiObjectMetadata } from "cdk8s";
import { Construct } from "constructs";
import type { DatabaseName, Environment, Postgres } from "../../environments";
import { keepOnPrune } from "../argo";
import {
  barmanCloudPlugin,
  databaseClusterName,
  imageReference,
  objectStoreName,
  secretNames,
} from "../conventions";
import {
  ObjectStore,
  ObjectStoreSpecConfigurationDataCompression,
  ObjectStoreSpecConfigurationWalCompression,
} from "../imports/barman-objectstore-barmancloud.cnpg.io";
import {
  Cluster,
  type ClusterSpec,
  ClusterSpecPostgresqlSynchronousDataDurability,
  ClusterSpecPostgresqlSynchronousMethod,
  ClusterSpecResourcesLimits,
  ClusterSpecResourcesRequests,
} from "../imports/cnpg-cluster-postgresql.cnpg.io";
import {
  ScheduledBackup,
  ScheduledBackupSpecBackupOwnerReference,
  ScheduledBackupSpecMethod,
} from "../imports/cnpg-scheduledbackup-postgresql.cnpg.io";
import { PodMonitor } from "../imports/monitoring-podmonitor-monitoring.coreos.com";
import { componentLabels } from "../labels";
import { poolSelector } from "../node-pools";

export interface PostgresClusterProps {
  /** The environment the cluster belongs to (object store, images, node pools). */
  readonly environment: Environment;
  /** The domain; the cluster is named `<domain>-db` and its database `<domain>`. */
  readonly domain: DatabaseName;
}

/** PostgreSQL for one domain, with WAL archiving and scheduled base backups when PITR is on. */
export class PostgresCluster extends Construct {
  readonly clusterName: string;
  readonly cluster: Cluster;
  readonly objectStore?: ObjectStore;
  readonly scheduledBackup?: ScheduledBackup;
  readonly podMonitor: PodMonitor;

  constructor(scope: Construct, id: string, props: PostgresClusterProps) {
    super(scope, id);
    const { environment, domain } = props;
    const database = environment.postgres[domain];
    this.clusterName = databaseClusterName(domain);
    const metadata = databaseMetadata(environment, this.clusterName);
    if (database.backup.pitr) {
      this.objectStore = new ObjectStore(this, "object-store", {
        metadata: { ...metadata, name: objectStoreName(this.clusterName) },
        spec: objectStoreSpec(environment, this.clusterName, database),
      });
      // Without it WAL archiving stops; a deleted file must not silently end PITR.
      keepOnPrune(this.objectStore);
    }
    this.cluster = new Cluster(this, "cluster", {
      metadata,
      spec: {
        ...clusterSpec(environment, domain),
        bootstrap: {
          initdb: {
            database: domain,
            owner: domain,
            secret: { name: secretNames.databaseOwner(domain) },
            dataChecksums: true,
          },
        },
        plugins: database.backup.pitr ? [walArchiver(this.clusterName)] : undefined,
      },
    });
    keepOnPrune(this.cluster);
    // CloudNativePG's exporter (replication lag, slow queries) on each instance's `metrics` port.
    this.podMonitor = new PodMonitor(this, "pod-monitor", {
      metadata,
      spec: {
        selector: { matchLabels: { "cnpg.io/cluster": this.clusterName } },
        namespaceSelector: { matchNames: [environment.namespaces.data.name] },
        podMetricsEndpoints: [{ port: "metrics", interval: "30s" }],
      },
    });
    if (database.backup.pitr) {
      this.scheduledBackup = new ScheduledBackup(this, "scheduled-backup", {
        metadata: { ...metadata, name: `${this.clusterName}-daily` },
        spec: {
          cluster: { name: this.clusterName },
          schedule: database.backup.schedule,
          method: ScheduledBackupSpecMethod.PLUGIN,
          pluginConfiguration: { name: barmanCloudPlugin },
          backupOwnerReference: ScheduledBackupSpecBackupOwnerReference.SELF,
          immediate: true,
        },
      });
    }
  }
}

/** Name, namespace and labels shared by a cluster's objects. */
export function databaseMetadata(environment: Environment, clusterName: string): ApiObjectMetadata {
  return {
    name: clusterName,
    namespace: environment.namespaces.data.name,
    labels: componentLabels(clusterName, "database", environment.name),
  };
}

/**
 * The WAL archiver plugin entry; `serverName` names the folder in the bucket, so a restored
 * cluster archives under a new one and never overwrites the history it was restored from.
 */
export function walArchiver(clusterName: string, serverName?: string) {
  return {
    name: barmanCloudPlugin,
    isWalArchiver: true,
    parameters: {
      barmanObjectName: objectStoreName(clusterName),
      ...(serverName ? { serverName } : {}),
    },
  };
}

function objectStoreSpec(environment: Environment, clusterName: string, database: Postgres) {
  const store = environment.objectStore;
  const credentials = store.credentials;
  return {
    retentionPolicy: database.backup.retention,
    configuration: {
      destinationPath: `s3://${store.bucket}/${environment.name}`,
      endpointUrl: store.endpoint,
      s3Credentials: {
        accessKeyId: { name: credentials.secretName, key: credentials.accessKeyIdKey },
        secretAccessKey: { name: credentials.secretName, key: credentials.secretAccessKeyKey },
      },
      wal: { compression: ObjectStoreSpecConfigurationWalCompression.GZIP, maxParallel: 4 },
      data: { compression: ObjectStoreSpecConfigurationDataCompression.GZIP, jobs: 2 },
      tags: { cluster: clusterName, environment: environment.name },
    },
  };
}

/** Everything but bootstrap and plugins: shared by the cluster and its recovery. */
export function clusterSpec(environment: Environment, domain: DatabaseName): ClusterSpec {
  const database = environment.postgres[domain];
  const highlyAvailable = database.instances > 1;
  return {
    instances: database.instances,
    imageName: imageReference(environment.images.postgres),
    storage: { size: database.storage.size, storageClass: database.storage.storageClass },
    walStorage: { size: database.walStorage.size, storageClass: database.walStorage.storageClass },
    resources: {
      requests: {
        cpu: ClusterSpecResourcesRequests.fromString(database.resources.requests.cpu),
        memory: ClusterSpecResourcesRequests.fromString(database.resources.requests.memory),
      },
      limits: {
        cpu: ClusterSpecResourcesLimits.fromString(database.resources.limits.cpu),
        memory: ClusterSpecResourcesLimits.fromString(database.resources.limits.memory),
      },
    },
    postgresql: {
      parameters: {
        log_min_duration_statement: String(database.slowQueryMs),
        max_connections: String(database.maxConnections),
      },
      // Money moves here: with replicas, a commit waits for one standby so a failover loses nothing.
      synchronous: highlyAvailable
        ? {
            method: ClusterSpecPostgresqlSynchronousMethod.ANY,
            number: 1,
            dataDurability: ClusterSpecPostgresqlSynchronousDataDurability.REQUIRED,
          }
        : undefined,
    },
    enablePdb: highlyAvailable,
    affinity: {
      enablePodAntiAffinity: highlyAvailable,
      topologyKey: "kubernetes.io/hostname",
      nodeSelector: poolSelector(environment, "data"),
    },
    inheritedMetadata: { labels: { "breakwater.dev/domain": domain } },
  };
}
