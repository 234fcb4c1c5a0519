/**
 * @module Unit tests of the Transactions dashboard model: panels split by provider, every
 * query scoped to purchasing and reading only metrics purchasing exports.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dashboardQueries } from "./dashboard-definition";
import { transactionsDashboard } from "./transactions-dashboard";

const dashboard = transactionsDashboard();
const panels = dashboard.json.panels as { id: number; type: string; title: string }[];
const exported = [
  "purchases_total",
  "provider_requests_total",
  "provider_request_duration_seconds_bucket",
  "provider_circuit_state",
  "purchase_reservations_stuck",
];

test("the dashboard is called Transactions and every panel id is unique", () => {
  assert.match(String(dashboard.json.title), /Transactions$/);
  assert.is(new Set(panels.map((panel) => panel.id)).size, panels.length);
});

test("provider panels are split by provider; every query reads purchasing's own metrics", () => {
  const queries = dashboardQueries(dashboard);
  assert.is(queries.length, panels.filter((panel) => panel.type !== "row").length);
  assert.ok(queries.filter((expr) => expr.includes("by (provider")).length >= 4);
  for (const expr of queries) {
    assert.match(expr, 'service="purchasing"');
    const metrics = expr.match(/[a-z_]+(?=\{)/g) ?? [];
    for (const metric of metrics) assert.ok(exported.includes(metric), `${metric} in ${expr}`);
  }
});

test.run();
