/** @module Unit tests of the Service Overview dashboard: rate, errors and duration per service. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEnvironment } from "../../environments";
import { metricNamesIn } from "../alerts/metric-names";
import { dashboards } from "./catalog";
import { dashboardQueries } from "./dashboard-definition";
import { serviceOverviewDashboard } from "./service-overview-dashboard";

const prod = loadEnvironment("prod");
const dashboard = serviceOverviewDashboard(prod);
const panels = dashboard.json.panels as { title: string; targets: { expr: string }[] }[];

test("it shows rate, errors and p50/p95/p99 duration grouped by service", () => {
  assert.equal(
    panels.map((panel) => panel.title),
    [
      "Requests per second by service",
      "Server errors (5xx) share by service (alert above 5%)",
      "Client errors (4xx) per second by service",
      "Duration p50 by service",
      `Duration p95 by service (alert above ${prod.alerts.latencyP95Ms} ms)`,
      "Duration p99 by service",
    ],
  );
  for (const expr of dashboardQueries(dashboard)) {
    assert.match(expr, /by \(service/);
    assert.match(expr, /service=~"\$service"/);
  }
  assert.equal([...new Set(dashboardQueries(dashboard).flatMap(metricNamesIn))].sort(), [
    "http_request_duration_seconds_bucket",
    "http_request_duration_seconds_count",
  ]);
});

test("the service picker lists every service that serves HTTP, all by default", () => {
  const variables = (dashboard.json.templating as { list: Record<string, unknown>[] }).list;
  const service = variables.find((variable) => variable.name === "service")!;
  assert.is(service.query, "label_values(http_request_duration_seconds_count, service)");
  assert.is(service.includeAll, true);
  assert.is(service.allValue, ".+");
});

test("every environment ships it", () => {
  for (const name of ["dev", "staging", "prod"] as const) {
    const files = dashboards(loadEnvironment(name)).map((definition) => definition.file);
    assert.ok(files.includes("service-overview"), name);
  }
});

test.run();
