/**
 * @module The metrics the data-plane alerts read that breakwater does not export itself: the
 * names CloudNativePG, its Barman Cloud plugin, the Redis exporter (oliver006/redis_exporter,
 * the image the OT-CONTAINER-KIT Redis operator runs) and Redpanda really export, each with
 * where it is documented. `test/alerts/metrics-exported.test.ts` accepts exactly these names
 * besides the ones a breakwater program serves.
 */

export interface UpstreamMetric {
  readonly exporter: "cloudnative-pg" | "barman-cloud-plugin" | "redis_exporter" | "redpanda";
  /** Where the name is documented. */
  readonly source: string;
}

const cnpgDefaultQueries =
  "CloudNativePG default monitoring queries (config/manager/default-monitoring.yaml), https://cloudnative-pg.io/documentation/current/monitoring/";

export const upstreamMetrics: Readonly<Record<string, UpstreamMetric>> = {
  // Seconds a standby's replay is behind its primary (`pg_replication` query, `lag`).
  cnpg_pg_replication_lag: { exporter: "cloudnative-pg", source: cnpgDefaultQueries },
  // Longest running transaction per backend group (`backends` query, `max_tx_duration_seconds`).
  cnpg_backends_max_tx_duration_seconds: { exporter: "cloudnative-pg", source: cnpgDefaultQueries },
  // pg_stat_archiver as epoch seconds (`pg_stat_archiver` query).
  cnpg_pg_stat_archiver_last_failed_time: {
    exporter: "cloudnative-pg",
    source: cnpgDefaultQueries,
  },
  cnpg_pg_stat_archiver_last_archived_time: {
    exporter: "cloudnative-pg",
    source: cnpgDefaultQueries,
  },
  cnpg_pg_stat_archiver_failed_count: { exporter: "cloudnative-pg", source: cnpgDefaultQueries },
  // With the Barman Cloud plugin the in-core cnpg_collector_last_available_backup_timestamp
  // stops updating; the plugin exports its own.
  barman_cloud_cloudnative_pg_io_last_available_backup_timestamp: {
    exporter: "barman-cloud-plugin",
    source:
      "plugin-barman-cloud docs, Observability: https://cloudnative-pg.io/plugin-barman-cloud/docs/observability/",
  },
  // 1 while a replica's link to its master is up (INFO replication, master_link_status).
  redis_master_link_up: {
    exporter: "redis_exporter",
    source: "oliver006/redis_exporter, exporter/info.go (master_link_status -> master_link_up)",
  },
  redis_connected_slaves: {
    exporter: "redis_exporter",
    source: "oliver006/redis_exporter, exporter/info.go (INFO connected_slaves)",
  },
  redis_up: { exporter: "redis_exporter", source: "oliver006/redis_exporter README, `redis_up`" },
  redis_memory_used_bytes: {
    exporter: "redis_exporter",
    source: "oliver006/redis_exporter, exporter/info.go (INFO used_memory)",
  },
  // Needs the cluster property enable_consumer_group_metrics to include "consumer_lag".
  redpanda_kafka_consumer_group_lag_max: {
    exporter: "redpanda",
    source:
      "Redpanda public metrics reference, https://docs.redpanda.com/current/reference/public-metrics-reference/",
  },
  redpanda_kafka_under_replicated_replicas: {
    exporter: "redpanda",
    source:
      "Redpanda public metrics reference, https://docs.redpanda.com/current/reference/public-metrics-reference/",
  },
};
