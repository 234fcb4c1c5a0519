/**
 * @module "Service Overview", the first dashboard of seed 003's "Where to Look": rate, errors
 * and duration (p50, p95, p99) of every kit service, from the one HTTP histogram every service
 * exports (`http_request_duration_seconds{method,path,status}`), with the environment's alert
 * thresholds in the titles and a `service` picker (all by default).
 */
import { DashboardBuilder, QueryVariableBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type { Environment } from "../../environments";
import type { DashboardDefinition } from "./dashboard-definition";
import { datasource, datasourceVariable, query, rate, timeseries } from "./panels";

const histogram = "http_request_duration_seconds";
const selected = 'service=~"$service"';

function latency(quantile: number) {
  return query(
    `histogram_quantile(${quantile}, sum by (service, le) (rate(${histogram}_bucket{${selected}}[${rate}])))`,
    "{{service}}",
  );
}

export function serviceOverviewDashboard(environment: Environment): DashboardDefinition {
  const { errorRatio, latencyP95Ms } = environment.alerts;
  const services = new QueryVariableBuilder("service")
    .label("Service")
    .datasource(datasource)
    .query(`label_values(${histogram}_count, service)`)
    .multi(true)
    .includeAll(true)
    .allValue(".+");
  const json = new DashboardBuilder("Service Overview")
    .uid("breakwater-service-overview")
    .tags(["breakwater", "services"])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .timezone("utc")
    .withVariable(datasourceVariable())
    .withVariable(services)
    .withPanel(
      timeseries(
        "Requests per second by service",
        "reqps",
        { id: 1, x: 0, y: 0 },
        query(`sum by (service) (rate(${histogram}_count{${selected}}[${rate}]))`, "{{service}}"),
      ),
    )
    .withPanel(
      timeseries(
        `Server errors (5xx) share by service (alert above ${errorRatio * 100}%)`,
        "percentunit",
        { id: 2, x: 12, y: 0 },
        query(
          `sum by (service) (rate(${histogram}_count{${selected},status=~"5.."}[${rate}])) / sum by (service) (rate(${histogram}_count{${selected}}[${rate}]))`,
          "{{service}}",
        ),
      ),
    )
    .withPanel(
      timeseries(
        "Client errors (4xx) per second by service",
        "reqps",
        { id: 3, x: 0, y: 8 },
        query(
          `sum by (service, status) (rate(${histogram}_count{${selected},status=~"4.."}[${rate}]))`,
          "{{service}} {{status}}",
        ),
      ),
    )
    .withPanel(timeseries("Duration p50 by service", "s", { id: 4, x: 12, y: 8 }, latency(0.5)))
    .withPanel(
      timeseries(
        `Duration p95 by service (alert above ${latencyP95Ms} ms)`,
        "s",
        { id: 5, x: 0, y: 16 },
        latency(0.95),
      ),
    )
    .withPanel(timeseries("Duration p99 by service", "s", { id: 6, x: 12, y: 16 }, latency(0.99)))
    .build();
  return { file: "service-overview", json: json as unknown as Record<string, unknown> };
}
