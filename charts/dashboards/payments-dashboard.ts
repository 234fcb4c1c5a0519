/**
 * @module The Payments dashboard: HTTP latency (p50, p99) and error rate by route, idempotency
 * outcomes, the manual review queue, worker runs by result, ledger imbalance findings, and
 * the controls the operator holds in force — the panels seed 000's triage walks through.
 */
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  RowBuilder,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import type { DashboardDefinition } from "./dashboard-definition";

const datasource = { type: "prometheus", uid: "$datasource" };
const scope = 'service="payments"';
const rate = "$__rate_interval";

function query(expr: string, legend: string): DataqueryBuilder {
  return new DataqueryBuilder().expr(expr).legendFormat(legend).datasource(datasource);
}

function timeseries(title: string, unit: string, gridPos: { x: number; y: number }) {
  return new TimeseriesBuilder()
    .title(title)
    .unit(unit)
    .datasource(datasource)
    .gridPos({ ...gridPos, w: 12, h: 8 });
}

function latency(quantile: number): DataqueryBuilder {
  return query(
    `histogram_quantile(${quantile}, sum by (path, le) (rate(http_request_duration_seconds_bucket{${scope}}[${rate}])))`,
    "{{path}}",
  );
}

/** The Payments dashboard model. */
export function paymentsDashboard(): DashboardDefinition {
  const builder = new DashboardBuilder("breakwater / Payments")
    .uid("breakwater-payments")
    .tags(["breakwater", "payments"])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .timezone("utc")
    .withVariable(
      new DatasourceVariableBuilder("datasource").label("Data source").type("prometheus"),
    )
    .withRow(new RowBuilder("HTTP").gridPos({ x: 0, y: 0, w: 24, h: 1 }))
    .withPanel(timeseries("Latency p50 by route", "s", { x: 0, y: 1 }).withTarget(latency(0.5)))
    .withPanel(timeseries("Latency p99 by route", "s", { x: 12, y: 1 }).withTarget(latency(0.99)))
    .withPanel(
      timeseries("5xx error rate by route", "percentunit", { x: 0, y: 9 }).withTarget(
        query(
          `sum by (path) (rate(http_request_duration_seconds_count{${scope},status=~"5.."}[${rate}])) / sum by (path) (rate(http_request_duration_seconds_count{${scope}}[${rate}]))`,
          "{{path}}",
        ),
      ),
    )
    .withPanel(
      timeseries("Idempotency outcomes", "ops", { x: 12, y: 9 }).withTarget(
        query(
          `sum by (outcome) (rate(idempotency_events_total{${scope}}[${rate}]))`,
          "{{outcome}}",
        ),
      ),
    )
    .withRow(new RowBuilder("Payouts and ledger").gridPos({ x: 0, y: 17, w: 24, h: 1 }))
    .withPanel(
      new StatBuilder()
        .title("Manual review queue")
        .datasource(datasource)
        .gridPos({ x: 0, y: 18, w: 6, h: 8 })
        .withTarget(query(`max(payout_manual_review_queue_size{${scope}})`, "waiting")),
    )
    .withPanel(
      timeseries("Manual review transitions", "short", { x: 6, y: 18 })
        .gridPos({ x: 6, y: 18, w: 6, h: 8 })
        .withTarget(
          query(
            `sum by (action) (increase(payout_manual_review_transitions_total{${scope}}[${rate}]))`,
            "{{action}}",
          ),
        ),
    )
    .withPanel(
      timeseries("Worker runs by result", "ops", { x: 12, y: 18 }).withTarget(
        query(
          `sum by (worker, result) (rate(worker_runs_total{${scope}}[${rate}]))`,
          "{{worker}} {{result}}",
        ),
      ),
    )
    .withPanel(
      timeseries("Ledger imbalance findings", "short", { x: 0, y: 26 }).withTarget(
        query(
          `sum by (currency) (increase(ledger_imbalance_total{${scope}}[${rate}]))`,
          "{{currency}}",
        ),
      ),
    )
    .withPanel(
      timeseries("Controls in force", "short", { x: 12, y: 26 }).withTarget(
        query("max by (kind) (breakwater_operator_controls_in_force)", "{{kind}}"),
      ),
    );
  return { file: "payments", json: builder.build() as unknown as Record<string, unknown> };
}
