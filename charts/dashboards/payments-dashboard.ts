/**
 * @module The Payments dashboard: HTTP latency (p50, p99) and error rate by route, idempotency
 * outcomes, the manual review queue, worker runs by result, ledger imbalance findings, and
 * the controls the operator holds in force — the panels seed 000's triage walks through.
 */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatBuilder } from "@grafana/grafana-foundation-sdk/stat";
import type { DashboardDefinition } from "./dashboard-definition";
import { datasource, datasourceVariable, query, rate, timeseries } from "./panels";

const scope = 'service="payments"';

function latency(quantile: number): DataqueryBuilder {
  return query(
    `histogram_quantile(${quantile}, sum by (path, le) (rate(http_request_duration_seconds_bucket{${scope}}[${rate}])))`,
    "{{path}}",
  );
}

const errorRate = query(
  `sum by (path) (rate(http_request_duration_seconds_count{${scope},status=~"5.."}[${rate}])) / sum by (path) (rate(http_request_duration_seconds_count{${scope}}[${rate}]))`,
  "{{path}}",
);

function httpRow(builder: DashboardBuilder): DashboardBuilder {
  return builder
    .withRow(new RowBuilder("HTTP").id(100).gridPos({ x: 0, y: 0, w: 24, h: 1 }))
    .withPanel(timeseries("Latency p50 by route", "s", { id: 1, x: 0, y: 1 }, latency(0.5)))
    .withPanel(timeseries("Latency p99 by route", "s", { id: 2, x: 12, y: 1 }, latency(0.99)))
    .withPanel(
      timeseries("5xx error rate by route", "percentunit", { id: 3, x: 0, y: 9 }, errorRate),
    )
    .withPanel(
      timeseries(
        "Idempotency outcomes",
        "ops",
        { id: 4, x: 12, y: 9 },
        query(
          `sum by (outcome) (rate(idempotency_events_total{${scope}}[${rate}]))`,
          "{{outcome}}",
        ),
      ),
    );
}

function moneyRow(builder: DashboardBuilder): DashboardBuilder {
  const queue = new StatBuilder()
    .id(5)
    .title("Manual review queue")
    .datasource(datasource)
    .gridPos({ x: 0, y: 18, w: 6, h: 8 })
    .withTarget(query(`max(payout_manual_review_queue_size{${scope}})`, "waiting"));
  const transitions = query(
    `sum by (action) (increase(payout_manual_review_transitions_total{${scope}}[${rate}]))`,
    "{{action}}",
  );
  const workers = query(
    `sum by (worker, result) (rate(worker_runs_total{${scope}}[${rate}]))`,
    "{{worker}} {{result}}",
  );
  const imbalance = query(
    `sum by (currency) (increase(ledger_imbalance_total{${scope}}[${rate}]))`,
    "{{currency}}",
  );
  const controls = query("max by (kind) (breakwater_operator_controls_in_force)", "{{kind}}");
  return builder
    .withRow(new RowBuilder("Payouts and ledger").id(101).gridPos({ x: 0, y: 17, w: 24, h: 1 }))
    .withPanel(queue)
    .withPanel(
      timeseries("Manual review transitions", "short", { id: 6, x: 6, y: 18, w: 6 }, transitions),
    )
    .withPanel(timeseries("Worker runs by result", "ops", { id: 7, x: 12, y: 18 }, workers))
    .withPanel(timeseries("Ledger imbalance findings", "short", { id: 8, x: 0, y: 26 }, imbalance))
    .withPanel(timeseries("Controls in force", "short", { id: 9, x: 12, y: 26 }, controls));
}

/** The Payments dashboard model. */
export function paymentsDashboard(): DashboardDefinition {
  const builder = new DashboardBuilder("breakwater / Payments")
    .uid("breakwater-payments")
    .tags(["breakwater", "payments"])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .timezone("utc")
    .withVariable(datasourceVariable());
  const json = moneyRow(httpRow(builder)).build();
  return { file: "payments", json: json as unknown as Record<string, unknown> };
}
