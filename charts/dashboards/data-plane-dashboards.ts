/**
 * @module The data plane's dashboards, named as seed 003's handbook names them: "DB/Prod"
 * (replication lag and slow queries against the environment's thresholds, WAL archiving, the
 * age of the last backup) for the migration runbook, and "Redis/Cache" (replication links,
 * replicas, memory) for the outage runbook. Metrics: charts/alerts/upstream-metrics.ts.
 */
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
} from "@grafana/grafana-foundation-sdk/dashboard";
import type { Environment } from "../../environments";
import type { DashboardDefinition } from "./dashboard-definition";
import { query, timeseries } from "./panels";

const rate = "$__rate_interval";

function dashboard(title: string, uid: string, tags: string[]): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .tags(["breakwater", ...tags])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .timezone("utc")
    .withVariable(
      new DatasourceVariableBuilder("datasource").label("Data source").type("prometheus"),
    );
}

/** "DB/Prod": the panels seed 003's migration runbook watches, with its thresholds drawn in. */
export function databaseDashboard(environment: Environment): DashboardDefinition {
  const { replicationLagMs, slowQueryMs } = environment.alerts;
  const json = dashboard("DB/Prod", "breakwater-db", ["postgres"])
    .withPanel(
      timeseries(
        `Replication lag by standby (threshold ${replicationLagMs} ms)`,
        "ms",
        { id: 1, x: 0, y: 0 },
        query("max by (pod) (cnpg_pg_replication_lag) * 1000", "{{pod}}"),
      ),
    )
    .withPanel(
      timeseries(
        `Longest transaction by instance (slow above ${slowQueryMs} ms)`,
        "ms",
        { id: 2, x: 12, y: 0 },
        query("max by (pod) (cnpg_backends_max_tx_duration_seconds) * 1000", "{{pod}}"),
      ),
    )
    .withPanel(
      timeseries(
        "WAL archive failures",
        "short",
        { id: 3, x: 0, y: 8 },
        query(`sum by (pod) (increase(cnpg_pg_stat_archiver_failed_count[${rate}]))`, "{{pod}}"),
      ),
    )
    .withPanel(
      timeseries(
        "Age of the last base backup",
        "s",
        { id: 4, x: 12, y: 8 },
        query(
          "min by (pod) (time() - barman_cloud_cloudnative_pg_io_last_available_backup_timestamp)",
          "{{pod}}",
        ),
      ),
    )
    .build();
  return { file: "db-prod", json: json as unknown as Record<string, unknown> };
}

/** "Redis/Cache": is every replica linked, how many does the master see, memory used. */
export function redisDashboard(): DashboardDefinition {
  const json = dashboard("Redis/Cache", "breakwater-redis", ["redis"])
    .withPanel(
      timeseries("Instances up", "short", { id: 1, x: 0, y: 0 }, query("sum(redis_up)", "up")),
    )
    .withPanel(
      timeseries(
        "Replica link to master (1 up, 0 down)",
        "short",
        { id: 2, x: 12, y: 0 },
        query("max by (pod) (redis_master_link_up)", "{{pod}}"),
      ),
    )
    .withPanel(
      timeseries(
        "Replicas connected to the master",
        "short",
        { id: 3, x: 0, y: 8 },
        query("max by (pod) (redis_connected_slaves)", "{{pod}}"),
      ),
    )
    .withPanel(
      timeseries(
        "Memory used",
        "bytes",
        { id: 4, x: 12, y: 8 },
        query("max by (pod) (redis_memory_used_bytes)", "{{pod}}"),
      ),
    )
    .build();
  return { file: "redis-cache", json: json as unknown as Record<string, unknown> };
}
