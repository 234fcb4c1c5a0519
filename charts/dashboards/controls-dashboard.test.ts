/** @module Unit tests of the Controls dashboard model: the panels issue 9 asks for, laid out. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadAllEnvironments } from "../../environments";
import { metricNamesIn } from "../alerts/metric-names";
import { dashboards } from "./catalog";
import { controlsDashboard } from "./controls-dashboard";
import { dashboardQueries } from "./dashboard-definition";

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
}

const dashboard = controlsDashboard();
const panels = dashboard.json.panels as Panel[];

test("it shows controls in force, time to enforce, reconcile errors, approvals and unmanaged", () => {
  const titles = panels.map((panel) => panel.title);
  for (const title of [
    "Controls in force by kind",
    "Time to enforce",
    "Reconcile errors",
    "Approvals waiting",
    "Controls outside Kubernetes",
    "Oldest control due and not enforced",
  ])
    assert.ok(titles.includes(title), title);
});

test("every query reads only the operator's metrics", () => {
  const names = dashboardQueries(dashboard).flatMap(metricNamesIn);
  assert.ok(names.length >= 10);
  for (const name of names) assert.match(name, /^breakwater_operator_/);
  assert.ok(names.includes("breakwater_operator_time_to_enforce_seconds_bucket"));
});

test("panels have unique ids and no two overlap in the 24-column grid", () => {
  assert.is(new Set(panels.map((panel) => panel.id)).size, panels.length);
  const boxes = panels.map((panel) => ({ title: panel.title, ...panel.gridPos }));
  for (const [index, a] of boxes.entries()) {
    assert.ok(a.x >= 0 && a.x + a.w <= 24, a.title);
    for (const b of boxes.slice(index + 1)) {
      const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      assert.ok(apart, `${a.title} overlaps ${b.title}`);
    }
  }
});

test("every environment ships it, since every environment runs the operator", () => {
  for (const environment of loadAllEnvironments())
    assert.ok(dashboards(environment).some((entry) => entry.file === "controls"));
});

test.run();
