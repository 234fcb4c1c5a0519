/**
 * @module The Controls dashboard: what the control operator holds and how well — controls in
 * force by kind, time to enforce, reconcile errors, approvals waiting, controls due and not
 * enforced, controls outside Kubernetes, and whether a replica leads. Every metric is one
 * operators/runtime/metrics.ts exports.
 */
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  RowBuilder,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as StatBuilder } from "@grafana/grafana-foundation-sdk/stat";
import type { DashboardDefinition } from "./dashboard-definition";
import { datasource, type Place, query, rate, timeseries } from "./panels";

function stat(title: string, place: Place, expr: string) {
  return new StatBuilder()
    .id(place.id)
    .title(title)
    .datasource(datasource)
    .gridPos({ x: place.x, y: place.y, w: place.w ?? 6, h: 4 })
    .withTarget(query(expr, title));
}

function timeToEnforce(quantile: number) {
  return query(
    `histogram_quantile(${quantile}, sum by (kind, le) (rate(breakwater_operator_time_to_enforce_seconds_bucket[${rate}])))`,
    `{{kind}} p${quantile * 100}`,
  );
}

function summaryRow(builder: DashboardBuilder): DashboardBuilder {
  return builder
    .withRow(new RowBuilder("At a glance").id(100).gridPos({ x: 0, y: 0, w: 24, h: 1 }))
    .withPanel(stat("Leaders", { id: 1, x: 0, y: 1 }, "sum(breakwater_operator_leader)"))
    .withPanel(
      stat(
        "Controls in force",
        { id: 2, x: 6, y: 1 },
        "sum(max by (kind) (breakwater_operator_controls_in_force))",
      ),
    )
    .withPanel(
      stat(
        "Approvals waiting",
        { id: 3, x: 12, y: 1 },
        "sum(max by (kind) (breakwater_operator_controls_awaiting_approval))",
      ),
    )
    .withPanel(
      stat(
        "Controls outside Kubernetes",
        { id: 4, x: 18, y: 1 },
        "sum(max by (service, kind) (breakwater_operator_unmanaged_controls))",
      ),
    );
}

function controlsRow(builder: DashboardBuilder): DashboardBuilder {
  const inForce = query("max by (kind) (breakwater_operator_controls_in_force)", "{{kind}}");
  const waiting = query(
    "max by (kind) (breakwater_operator_controls_awaiting_approval)",
    "{{kind}} waiting",
  );
  const notEnforced = query(
    "max by (kind) (breakwater_operator_oldest_not_enforced_seconds)",
    "{{kind}}",
  );
  const unmanaged = query(
    "max by (service, kind) (breakwater_operator_unmanaged_controls)",
    "{{service}} {{kind}}",
  );
  return builder
    .withRow(new RowBuilder("Controls").id(101).gridPos({ x: 0, y: 5, w: 24, h: 1 }))
    .withPanel(timeseries("Controls in force by kind", "short", { id: 5, x: 0, y: 6 }, inForce))
    .withPanel(
      timeseries("Time to enforce", "s", { id: 6, x: 12, y: 6 }, timeToEnforce(0.5)).withTarget(
        timeToEnforce(0.99),
      ),
    )
    .withPanel(timeseries("Approvals waiting", "short", { id: 7, x: 0, y: 14 }, waiting))
    .withPanel(
      timeseries("Oldest control due and not enforced", "s", { id: 8, x: 12, y: 14 }, notEnforced),
    )
    .withPanel(
      timeseries("Controls outside Kubernetes", "short", { id: 9, x: 0, y: 22 }, unmanaged),
    );
}

function operatorRow(builder: DashboardBuilder): DashboardBuilder {
  const errors = query(
    `sum by (kind) (rate(breakwater_operator_reconciles_total{result="error"}[${rate}]))`,
    "{{kind}}",
  );
  const depth = query("max by (kind) (breakwater_operator_queue_depth)", "{{kind}}");
  return builder
    .withPanel(timeseries("Reconcile errors", "ops", { id: 10, x: 12, y: 22 }, errors))
    .withRow(new RowBuilder("Operator").id(102).gridPos({ x: 0, y: 30, w: 24, h: 1 }))
    .withPanel(timeseries("Work queue depth", "short", { id: 11, x: 0, y: 31 }, depth))
    .withPanel(
      timeseries(
        "Reconcile duration p99",
        "s",
        { id: 12, x: 12, y: 31 },
        query(
          `histogram_quantile(0.99, sum by (kind, le) (rate(breakwater_operator_reconcile_duration_seconds_bucket[${rate}])))`,
          "{{kind}}",
        ),
      ),
    );
}

/** The Controls dashboard model. */
export function controlsDashboard(): DashboardDefinition {
  const builder = new DashboardBuilder("breakwater / Controls")
    .uid("breakwater-controls")
    .tags(["breakwater", "controls", "operator"])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .timezone("utc")
    .withVariable(
      new DatasourceVariableBuilder("datasource").label("Data source").type("prometheus"),
    );
  const json = operatorRow(controlsRow(summaryRow(builder))).build();
  return { file: "controls", json: json as unknown as Record<string, unknown> };
}
