/** @module Unit tests of the Payments dashboard model: panels Grafana can place and query. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dashboardQueries } from "./dashboard-definition";
import { paymentsDashboard } from "./payments-dashboard";

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid?: string };
}

const dashboard = paymentsDashboard();
const panels = dashboard.json.panels as Panel[];

test("every panel has a unique id and sits inside the 24-column grid without overlap", () => {
  assert.is(new Set(panels.map((panel) => panel.id)).size, panels.length);
  const cells = new Set<string>();
  for (const panel of panels) {
    const { x, y, w, h } = panel.gridPos;
    assert.ok(x >= 0 && x + w <= 24, `${panel.title}: x ${x} w ${w}`);
    for (let row = y; row < y + h; row += 1) {
      for (let column = x; column < x + w; column += 1) {
        const cell = `${row}:${column}`;
        assert.not.ok(cells.has(cell), `${panel.title} overlaps at ${cell}`);
        cells.add(cell);
      }
    }
  }
});

test("every data panel queries the chosen Prometheus data source, scoped to payments", () => {
  for (const panel of panels.filter((candidate) => candidate.type !== "row"))
    assert.is(panel.datasource?.uid, "$datasource", panel.title);
  const queries = dashboardQueries(dashboard);
  assert.is(queries.length, panels.filter((panel) => panel.type !== "row").length);
  for (const expr of queries.filter((candidate) => !candidate.includes("breakwater_operator")))
    assert.match(expr, 'service="payments"');
});

test.run();
