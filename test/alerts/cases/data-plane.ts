/**
 * @module promtool cases for the data-plane alerts (postgres, redis, kafka), written against
 * the upstream metric names: each fires past its threshold for its duration and stays quiet
 * below it or when the condition cleared.
 */
import type { AlertGroup } from "../../../charts/alerts/alert-group";
import { firing, type RuleCase, ruleNamed, series } from "../rule-cases";

const primary = { namespace: "data-plane", pod: "payments-db-1" } as const;
const standby = { namespace: "data-plane", pod: "payments-db-2" } as const;

function quietAt(alertname: string, eval_time = "30m") {
  return { eval_time, alertname, exp_alerts: [] };
}

export function postgresCases(group: AlertGroup): RuleCase[] {
  const lag = ruleNamed(group, "PostgresReplicationLagHigh");
  const slow = ruleNamed(group, "PostgresSlowQueries");
  const archiving = ruleNamed(group, "PostgresWalArchivingFailing");
  const backup = ruleNamed(group, "PostgresBackupTooOld");
  const archiver = (name: string, values: string) => ({
    series: series(`cnpg_pg_stat_archiver_${name}`, primary),
    values,
  });
  return [
    {
      name: "PostgresReplicationLagHigh fires at 250 ms lag for 5m; 50 ms stays quiet",
      input_series: [
        { series: series("cnpg_pg_replication_lag", standby), values: "0.25x30" },
        { series: series("cnpg_pg_replication_lag", primary), values: "0.05x30" },
      ],
      alert_rule_test: [
        quietAt(lag.name, "3m"),
        {
          eval_time: "10m",
          alertname: lag.name,
          exp_alerts: [
            firing(
              lag,
              standby,
              "payments-db-2 in data-plane replays 250 ms behind its primary (threshold 100 ms): pause a migration rollout, a failover now would lose those writes.",
            ),
          ],
        },
      ],
    },
    {
      name: "PostgresReplicationLagHigh stays quiet at 80 ms",
      input_series: [{ series: series("cnpg_pg_replication_lag", standby), values: "0.08x30" }],
      alert_rule_test: [quietAt(lag.name)],
    },
    {
      name: "PostgresSlowQueries fires when a transaction runs 1.5 s for 5m; 150 ms stays quiet",
      input_series: [
        {
          series: series("cnpg_backends_max_tx_duration_seconds", {
            ...primary,
            datname: "payments",
            usename: "payments",
            application_name: "payments",
            state: "active",
          }),
          values: "1.5x30",
        },
        {
          series: series("cnpg_backends_max_tx_duration_seconds", {
            ...standby,
            datname: "payments",
          }),
          values: "0.15x30",
        },
      ],
      alert_rule_test: [
        quietAt(slow.name, "3m"),
        {
          eval_time: "10m",
          alertname: slow.name,
          exp_alerts: [
            firing(
              slow,
              primary,
              "The longest transaction on payments-db-1 in data-plane has run 1500 ms (threshold 200 ms) for 5m.",
            ),
          ],
        },
      ],
    },
    {
      name: "PostgresWalArchivingFailing fires when the last attempt failed after the last success",
      input_series: [
        archiver("last_archived_time", "1000x30"),
        archiver("last_failed_time", "0x5 1060x25"),
      ],
      alert_rule_test: [
        quietAt(archiving.name, "4m"),
        {
          eval_time: "15m",
          alertname: archiving.name,
          exp_alerts: [
            firing(
              archiving,
              primary,
              "payments-db-1 in data-plane failed to archive WAL and has not archived since (60 s between its last success and its last failure): point-in-time recovery stops at the last archived segment, and pg_wal grows.",
            ),
          ],
        },
      ],
    },
    {
      name: "PostgresWalArchivingFailing stays quiet once a later segment archived",
      input_series: [
        archiver("last_archived_time", "1000x10 1120x20"),
        archiver("last_failed_time", "1060x30"),
      ],
      alert_rule_test: [quietAt(archiving.name)],
    },
    {
      name: "PostgresBackupTooOld fires at 26.5 h without a backup, and is quiet at 2 h and after a new one",
      input_series: [
        // A backup at 00:00 and none since; then, from 27:00, one taken at 27:00.
        {
          series: series("barman_cloud_cloudnative_pg_io_last_available_backup_timestamp", primary),
          values: "0x1620 97200x120",
        },
      ],
      alert_rule_test: [
        quietAt(backup.name, "2h"),
        {
          eval_time: "26h30m",
          alertname: backup.name,
          exp_alerts: [
            firing(
              backup,
              primary,
              "The newest base backup of payments-db-1 in data-plane is 1d 2h 30m 0s old (maximum 26h): a restore would replay more WAL than planned, or have nothing to start from.",
            ),
          ],
        },
        quietAt(backup.name, "29h"),
      ],
    },
  ];
}

export function redisCases(group: AlertGroup): RuleCase[] {
  const broken = ruleNamed(group, "RedisReplicationBroken");
  const replica = { namespace: "data-plane", pod: "redis-1" };
  return [
    {
      name: "RedisReplicationBroken fires when a replica's link is down 2m; a blip does not",
      input_series: [
        { series: series("redis_master_link_up", replica), values: "1x5 0x20" },
        {
          series: series("redis_master_link_up", { ...replica, pod: "redis-2" }),
          values: "1x5 0 1x20",
        },
      ],
      alert_rule_test: [
        quietAt(broken.name, "6m"),
        {
          eval_time: "10m",
          alertname: broken.name,
          exp_alerts: [
            firing(
              broken,
              replica,
              "redis-1 in data-plane has had no link to its master for 2m: it serves stale data and is no failover candidate.",
            ),
          ],
        },
      ],
    },
    {
      name: "RedisReplicationBroken stays quiet while every link is up",
      input_series: [{ series: series("redis_master_link_up", replica), values: "1x30" }],
      alert_rule_test: [quietAt(broken.name)],
    },
  ];
}

export function kafkaCases(group: AlertGroup): RuleCase[] {
  const lag = ruleNamed(group, "KafkaConsumerLagHigh");
  const under = ruleNamed(group, "KafkaUnderReplicatedPartitions");
  const consumer = { namespace: "data-plane", redpanda_group: "payments-settlement" };
  const topic = (partition: string) => ({
    namespace: "data-plane",
    redpanda_namespace: "kafka",
    redpanda_topic: "payments.events",
    redpanda_partition: partition,
  });
  return [
    {
      name: "KafkaConsumerLagHigh fires at 5000 messages behind for 10m, not before",
      input_series: [
        {
          series: series("redpanda_kafka_consumer_group_lag_max", {
            ...consumer,
            pod: "redpanda-0",
          }),
          values: "5000x30",
        },
      ],
      alert_rule_test: [
        quietAt(lag.name, "8m"),
        {
          eval_time: "15m",
          alertname: lag.name,
          exp_alerts: [
            firing(
              lag,
              consumer,
              "Consumer group payments-settlement in data-plane trails by 5000 messages on a partition (maximum 1000) for 10m.",
            ),
          ],
        },
      ],
    },
    {
      name: "KafkaConsumerLagHigh stays quiet at 200 messages",
      input_series: [
        { series: series("redpanda_kafka_consumer_group_lag_max", consumer), values: "200x40" },
      ],
      alert_rule_test: [quietAt(lag.name)],
    },
    {
      name: "KafkaUnderReplicatedPartitions fires after 10m with replicas behind; a restart's blip does not",
      input_series: [
        { series: series("redpanda_kafka_under_replicated_replicas", topic("0")), values: "1x30" },
        { series: series("redpanda_kafka_under_replicated_replicas", topic("1")), values: "1x30" },
      ],
      alert_rule_test: [
        quietAt(under.name, "8m"),
        {
          eval_time: "15m",
          alertname: under.name,
          exp_alerts: [
            firing(
              under,
              { namespace: "data-plane", redpanda_topic: "payments.events" },
              "Topic payments.events in data-plane has 2 replicas behind their leader for 10m: one more broker lost could stop writes.",
            ),
          ],
        },
      ],
    },
    {
      name: "KafkaUnderReplicatedPartitions stays quiet when replicas catch up within minutes",
      input_series: [
        {
          series: series("redpanda_kafka_under_replicated_replicas", topic("0")),
          values: "1x5 0x30",
        },
      ],
      alert_rule_test: [quietAt(under.name)],
    },
  ];
}
