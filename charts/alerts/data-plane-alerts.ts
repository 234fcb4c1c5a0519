/**
 * @module The data plane's alerts (seed 003's migration and outage runbooks, seed 004's and
 * 002 §3.6's backups): PostgreSQL replication lag and slow queries above the environment's
 * thresholds, WAL archiving failing, the last backup too old; Redis replication broken; Kafka
 * consumer lag and under-replicated partitions. Every metric is an upstream one, listed with
 * its documentation in upstream-metrics.ts.
 */
import type { Environment } from "../../environments";
import type { AlertGroup } from "./alert-group";
import { alertRule } from "./alert-rule";

/** Numbers the runbooks leave open, and why. */
export const dataPlaneThresholds = {
  /** Lag and slow queries must last this long: one slow checkpoint is not an incident. */
  sustained: "5m",
  /** WAL archiving failing this long puts PITR (seed 002 §3.6) at risk. */
  archivingFailingFor: "5m",
  /** Backups are daily (ScheduledBackup); a day and two hours allows for a slow one. */
  backupAgeHoursMax: 26,
  /** A replica cut off from its master this long serves stale reads and cannot fail over. */
  redisLinkDownFor: "2m",
  /** Messages a consumer group may trail by before someone looks (a minute of peak traffic). */
  consumerLagMessagesMax: 1000,
  consumerLagFor: "10m",
  underReplicatedFor: "10m",
} as const;

type Rule = Parameters<typeof alertRule>[0];

function group(component: string, rules: Rule[], environment: Environment): AlertGroup {
  return {
    component,
    name: `breakwater.${component}`,
    rules: rules.map((rule) => alertRule(rule, environment.gitops)),
  };
}

function postgresRules(environment: Environment): Rule[] {
  const t = dataPlaneThresholds;
  const { replicationLagMs, slowQueryMs } = environment.alerts;
  return [
    {
      name: "PostgresReplicationLagHigh",
      component: "postgres",
      severity: "warning",
      expr: `max by (namespace, pod) (cnpg_pg_replication_lag) * 1000 > ${replicationLagMs}`,
      forDuration: t.sustained,
      summary: "A PostgreSQL standby is behind its primary beyond the replication lag threshold.",
      description: `{{ $labels.pod }} in {{ $labels.namespace }} replays {{ $value | printf "%.0f" }} ms behind its primary (threshold ${replicationLagMs} ms): pause a migration rollout, a failover now would lose those writes.`,
    },
    {
      name: "PostgresSlowQueries",
      component: "postgres",
      severity: "warning",
      expr: `max by (namespace, pod) (cnpg_backends_max_tx_duration_seconds) * 1000 > ${slowQueryMs}`,
      forDuration: t.sustained,
      summary: "PostgreSQL transactions keep running longer than the slow query threshold.",
      description: `The longest transaction on {{ $labels.pod }} in {{ $labels.namespace }} has run {{ $value | printf "%.0f" }} ms (threshold ${slowQueryMs} ms) for ${t.sustained}.`,
    },
    {
      name: "PostgresWalArchivingFailing",
      component: "postgres",
      severity: "critical",
      expr: "max by (namespace, pod) (cnpg_pg_stat_archiver_last_failed_time - cnpg_pg_stat_archiver_last_archived_time) > 0",
      forDuration: t.archivingFailingFor,
      summary: "PostgreSQL cannot archive WAL to the backup object store.",
      description: `{{ $labels.pod }} in {{ $labels.namespace }} failed to archive WAL and has not archived since ({{ $value | printf "%.0f" }} s between its last success and its last failure): point-in-time recovery stops at the last archived segment, and pg_wal grows.`,
    },
    {
      name: "PostgresBackupTooOld",
      component: "postgres",
      severity: "critical",
      expr: `min by (namespace, pod) (time() - barman_cloud_cloudnative_pg_io_last_available_backup_timestamp) > ${t.backupAgeHoursMax * 3600}`,
      summary: "The last successful PostgreSQL base backup is too old.",
      description: `The newest base backup of {{ $labels.pod }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }} old (maximum ${t.backupAgeHoursMax}h): a restore would replay more WAL than planned, or have nothing to start from.`,
    },
  ];
}

function redisRules(): Rule[] {
  return [
    {
      name: "RedisReplicationBroken",
      component: "redis",
      severity: "critical",
      expr: "max by (namespace, pod) (redis_master_link_up) == 0",
      forDuration: dataPlaneThresholds.redisLinkDownFor,
      summary: "A Redis replica has lost its link to the master.",
      description: `{{ $labels.pod }} in {{ $labels.namespace }} has had no link to its master for ${dataPlaneThresholds.redisLinkDownFor}: it serves stale data and is no failover candidate.`,
    },
  ];
}

function kafkaRules(): Rule[] {
  const t = dataPlaneThresholds;
  return [
    {
      name: "KafkaConsumerLagHigh",
      component: "kafka",
      severity: "warning",
      expr: `max by (namespace, redpanda_group) (redpanda_kafka_consumer_group_lag_max) > ${t.consumerLagMessagesMax}`,
      forDuration: t.consumerLagFor,
      summary: "A Kafka consumer group is falling behind.",
      description: `Consumer group {{ $labels.redpanda_group }} in {{ $labels.namespace }} trails by {{ $value | printf "%.0f" }} messages on a partition (maximum ${t.consumerLagMessagesMax}) for ${t.consumerLagFor}.`,
    },
    {
      name: "KafkaUnderReplicatedPartitions",
      component: "kafka",
      severity: "warning",
      expr: "sum by (namespace, redpanda_topic) (redpanda_kafka_under_replicated_replicas) > 0",
      forDuration: t.underReplicatedFor,
      summary: "Kafka partitions have replicas that are not caught up.",
      description: `Topic {{ $labels.redpanda_topic }} in {{ $labels.namespace }} has {{ $value }} replicas behind their leader for ${t.underReplicatedFor}: one more broker lost could stop writes.`,
    },
  ];
}

/** The postgres, redis and kafka alert groups. */
export function dataPlaneAlerts(environment: Environment): AlertGroup[] {
  return [
    group("postgres", postgresRules(environment), environment),
    group("redis", redisRules(), environment),
    group("kafka", kafkaRules(), environment),
  ];
}
