/**
 * @module Every dashboard query is PromQL Prometheus accepts: `promtool check rules` parses each
 * one as a recording rule, with Grafana's `$__rate_interval` as the 5m it becomes at our scrape
 * interval.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stringify } from "yaml";
import { dashboards } from "../../charts/dashboards/catalog";
import { dashboardQueries } from "../../charts/dashboards/dashboard-definition";
import { exchangeDashboard } from "../../charts/dashboards/exchange-dashboard";
import { loadEnvironment } from "../../environments";
import { makeTempDir } from "../harness/process";
import { promtool } from "../harness/prometheus";

async function checkQueries(file: string, queries: readonly string[]) {
  const rules = queries.map((expr, index) => ({
    record: `dashboard:${file.replaceAll("-", "_")}:query_${index}`,
    expr: expr.replaceAll("$__rate_interval", "5m"),
  }));
  const path = join(makeTempDir(`dashboard-${file}`), "queries.yaml");
  writeFileSync(path, stringify({ groups: [{ name: `dashboard-${file}`, rules }] }));
  return promtool(["check", "rules", path]);
}

const prod = loadEnvironment("prod");
// The exchange's dashboard is checked before any environment enables the service.
const exchange = prod.services.exchange.enabled ? [] : [exchangeDashboard()];
for (const dashboard of [...dashboards(prod), ...exchange]) {
  test(`every query of the ${dashboard.file} dashboard parses`, async () => {
    const queries = dashboardQueries(dashboard);
    assert.ok(queries.length > 0);
    const result = await checkQueries(dashboard.file, queries);
    assert.is(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, `SUCCESS: ${queries.length} rules found`);
  });
}

test("a malformed query is refused, so the check above can fail", async () => {
  const result = await checkQueries("broken", ["sum by (path (rate(x[$__rate_interval]))"]);
  assert.is.not(result.code, 0);
});

test.run();
