/**
 * @module Redpanda: the `Redpanda` cluster (SASL on, users from a Secret) and a `Topic` per
 * topic the services use.
 *
 * Users: the Redpanda `User` CRD is not among the CRDs we validate against, so service users
 * are declared through `auth.sasl.secretRef` — a Secret (`users.txt`, one
 * `name:password:mechanism` line per service) that Pulumi creates from Pulumi secrets. That
 * keeps every password out of git and needs no CRD we cannot check.
 *
 * TLS: off, explicitly (see `kafkaTlsEnabled`).
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import type { Environment } from "../environments";
import { keepOnPrune } from "./argo";
import { RedpandaTopic } from "./constructs/redpanda-topic";
import { redpandaName, secretNames } from "./conventions";
import {
  RedpandaV1Alpha2SpecClusterSpecResourcesCpuCores as CpuCores,
  RedpandaV1Alpha2SpecClusterSpecResourcesMemoryContainerMax as MemoryMax,
  RedpandaV1Alpha2,
  RedpandaV1Alpha2SpecClusterSpecStoragePersistentVolumeSize as VolumeSize,
} from "./imports/redpanda-cluster-cluster.redpanda.com";
import { componentLabels } from "./labels";
import { poolSelector } from "./node-pools";

export const saslMechanism = "SCRAM-SHA-512";

/**
 * Whether the Kafka listener serves TLS. The Redpanda chart's default is `tls.enabled: true`
 * with a self-signed CA from cert-manager whose Secret lives in the data namespace, where the
 * services (another namespace) cannot mount it; a client without that CA cannot connect at
 * all. So the cluster says `tls.enabled: false` and the services `KAFKA_TLS=false`: in-cluster
 * Kafka traffic is SASL-authenticated (SCRAM, one user per service) and NetworkPolicies admit
 * only the services, the operator and monitoring to the data namespace. Turning TLS on needs a
 * CA the services can mount (an issuer backed by a CA that Pulumi also copies into the services
 * namespace) and `KAFKA_TLS_CA_FILE` pointing at it.
 */
export const kafkaTlsEnabled = false;

export class RedpandaChart extends Chart {
  readonly cluster: RedpandaV1Alpha2;
  readonly topics: RedpandaTopic[] = [];

  constructor(scope: Construct, id: string, environment: Environment) {
    super(scope, id, { disableResourceNameHashes: true });
    const redpanda = environment.redpanda;
    const namespace = environment.namespaces.data.name;
    this.cluster = new RedpandaV1Alpha2(this, "cluster", {
      metadata: {
        name: redpandaName,
        namespace,
        labels: componentLabels(redpandaName, "event-log", environment.name),
      },
      spec: {
        clusterSpec: {
          image: { repository: redpanda.image.repository, tag: redpanda.image.tag },
          statefulset: {
            replicas: redpanda.brokers,
            budget: { maxUnavailable: 1 },
            nodeSelector: poolSelector(environment, "data"),
          },
          resources: {
            cpu: { cores: CpuCores.fromNumber(redpanda.resources.cpuCores) },
            memory: { container: { max: MemoryMax.fromString(redpanda.resources.memory) } },
          },
          storage: {
            persistentVolume: {
              enabled: true,
              size: VolumeSize.fromString(redpanda.storage.size),
              storageClass: redpanda.storage.storageClass,
            },
          },
          auth: {
            sasl: {
              enabled: true,
              mechanism: saslMechanism,
              secretRef: secretNames.redpandaUsers,
              users: [],
            },
          },
          // Explicit, because the chart's default is on: see kafkaTlsEnabled.
          tls: { enabled: kafkaTlsEnabled },
          external: { enabled: false },
          console: { enabled: false },
          monitoring: { enabled: true, scrapeInterval: "30s" },
          // redpanda_kafka_consumer_group_lag_max (KafkaConsumerLagHigh) is exported only when
          // the cluster property names consumer_lag.
          config: {
            cluster: { enable_consumer_group_metrics: ["group", "partition", "consumer_lag"] },
          },
        },
      },
    });
    keepOnPrune(this.cluster);
    for (const topic of redpanda.topics) {
      this.topics.push(
        new RedpandaTopic(this, topic.name, {
          topic,
          clusterName: redpandaName,
          namespace,
          environment: environment.name,
        }),
      );
    }
  }
}
