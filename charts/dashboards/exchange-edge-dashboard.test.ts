/**
 * @module Unit tests of the Exchange edge dashboard model: the seed's "WS" and "Edge auth"
 * rows, every query scoped to the edge and reading only metrics the edge exports.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dashboardQueries } from "./dashboard-definition";
import { exchangeEdgeDashboard } from "./exchange-edge-dashboard";

const dashboard = exchangeEdgeDashboard();
const panels = dashboard.json.panels as { id: number; type: string; title: string }[];
const exported = [
  "ws_connected_clients",
  "ws_outbound_messages_total",
  "ws_close_total",
  "ws_dropped_messages_total",
  "ws_connection_backlog_bytes_bucket",
  "ws_market_data_up",
  "auth_fail_total",
  "replay_detect_total",
  "rate_limit_drops_total",
];

test("the dashboard has the seed's WS and Edge auth rows and unique panel ids", () => {
  const rows = panels.filter((panel) => panel.type === "row").map((panel) => panel.title);
  assert.equal(rows, ["WS", "Edge auth"]);
  assert.is(new Set(panels.map((panel) => panel.id)).size, panels.length);
});

test("every query reads the edge's own metrics, and every seed metric is shown", () => {
  const queries = dashboardQueries(dashboard);
  const used = new Set<string>();
  for (const expr of queries) {
    assert.match(expr, 'service="exchange-edge"');
    for (const metric of expr.match(/[a-z_]+(?=\{)/g) ?? []) {
      assert.ok(exported.includes(metric), `${metric} in ${expr}`);
      used.add(metric);
    }
  }
  assert.equal([...used].sort(), [...exported].sort());
});

test.run();
