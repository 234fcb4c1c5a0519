/**
 * @module Unit tests of the Exchange dashboard model: seed 002's Engine, Kafka and Ledger rows,
 * panels Grafana can place, every query on the chosen data source, scoped to the exchange
 * (test/alerts/dashboard-queries.test.ts parses them with promtool).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dashboardQueries } from "./dashboard-definition";
import { exchangeDashboard } from "./exchange-dashboard";

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid?: string };
}

const dashboard = exchangeDashboard();
const panels = dashboard.json.panels as Panel[];

test("the rows are seed 002's Engine, Kafka and Ledger, with the panels it names", () => {
  const titles = panels.map((panel) => panel.title);
  assert.equal(
    panels.filter((panel) => panel.type === "row").map((panel) => panel.title),
    ["Engine", "Kafka", "Ledger"],
  );
  for (const title of [
    "Queue depth",
    "Loop p99",
    "Log append (WAL fsync) p99",
    "CPU",
    "Seq rate by symbol",
    "Consume lag (settlement) by partition",
    "Settlement lag p99 by symbol",
    "Invariant violations by kind",
  ]) {
    assert.ok(titles.includes(title), title);
  }
});

test("every panel has a unique id and sits inside the 24-column grid without overlap", () => {
  assert.is(new Set(panels.map((panel) => panel.id)).size, panels.length);
  const cells = new Set<string>();
  for (const panel of panels) {
    const { x, y, w, h } = panel.gridPos;
    assert.ok(x >= 0 && x + w <= 24, `${panel.title}: x ${x} w ${w}`);
    for (let row = y; row < y + h; row += 1) {
      for (let column = x; column < x + w; column += 1) {
        assert.not.ok(cells.has(`${row}:${column}`), `${panel.title} overlaps at ${row}:${column}`);
        cells.add(`${row}:${column}`);
      }
    }
  }
});

test("every query is on the chosen data source and scoped to the exchange", () => {
  for (const panel of panels.filter((candidate) => candidate.type !== "row"))
    assert.is(panel.datasource?.uid, "$datasource", panel.title);
  const queries = dashboardQueries(dashboard);
  for (const expr of queries.filter(
    (candidate) => !candidate.startsWith("sum by (redpanda_topic)"),
  ))
    assert.match(expr, 'service="exchange"');
});

test.run();
