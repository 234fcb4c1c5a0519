/**
 * @module The Escrow dashboard: seed 004's monitoring queries as panels. "High-value stuck
 * transactions" and the stuck amount by band, refunds in the last hour ("failed
 * transactions"), admin releases and refunds, payouts and webhooks by outcome, the dispute
 * backlog, then logins: OTP success rate, failed logins by reason, lockouts; and the HTTP
 * error rate, p95 and database errors the seed's critical alerts watch.
 */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as StatBuilder } from "@grafana/grafana-foundation-sdk/stat";
import type { DashboardDefinition } from "./dashboard-definition";
import { datasource, datasourceVariable, query, rate, timeseries } from "./panels";

const scope = 'service="escrow"';
const highValueBands = 'band=~"1000_to_10000|over_10000"';

function stat(id: number, title: string, x: number, expr: string, legend: string) {
  return new StatBuilder()
    .id(id)
    .title(title)
    .datasource(datasource)
    .gridPos({ x, y: 1, w: 6, h: 8 })
    .withTarget(query(expr, legend));
}

function moneyRow(builder: DashboardBuilder): DashboardBuilder {
  const byBand = (metric: string) => query(`max by (band) (${metric}{${scope}})`, "{{band}}");
  return builder
    .withRow(new RowBuilder("Held funds").id(100).gridPos({ x: 0, y: 0, w: 24, h: 1 }))
    .withPanel(
      stat(
        1,
        "High-value stuck transactions",
        0,
        `sum(max by (band) (escrow_stuck_transactions{${scope},${highValueBands}}))`,
        "over $1000",
      ),
    )
    .withPanel(
      stat(
        2,
        "Refunds in the last hour",
        6,
        `sum(increase(escrow_admin_actions_total{${scope},action="refund"}[1h]))`,
        "refunded",
      ),
    )
    .withPanel(
      stat(
        3,
        "Dispute backlog",
        12,
        `sum by (status) (max by (status) (escrow_disputes{${scope}}))`,
        "{{status}}",
      ),
    )
    .withPanel(
      stat(
        4,
        "Failed payouts (1h)",
        18,
        `sum(increase(escrow_payouts_total{${scope},result="failed"}[1h]))`,
        "failed",
      ),
    )
    .withPanel(
      timeseries(
        "Stuck transactions by band",
        "short",
        { id: 5, x: 0, y: 9 },
        byBand("escrow_stuck_transactions"),
      ),
    )
    .withPanel(
      timeseries(
        "Stuck amount by band (minor units)",
        "short",
        { id: 6, x: 12, y: 9 },
        byBand("escrow_stuck_transactions_amount"),
      ),
    )
    .withPanel(
      timeseries(
        "Admin releases and refunds",
        "short",
        { id: 7, x: 0, y: 17 },
        query(
          `sum by (action, via) (increase(escrow_admin_actions_total{${scope}}[${rate}]))`,
          "{{action}} by {{via}}",
        ),
      ),
    )
    .withPanel(
      timeseries(
        "Payouts by result",
        "ops",
        { id: 8, x: 12, y: 17 },
        query(`sum by (result) (rate(escrow_payouts_total{${scope}}[${rate}]))`, "{{result}}"),
      ),
    )
    .withPanel(
      timeseries(
        "Webhooks by outcome",
        "ops",
        { id: 9, x: 0, y: 25 },
        query(
          `sum by (event, outcome) (rate(escrow_webhooks_total{${scope}}[${rate}]))`,
          "{{event}} {{outcome}}",
        ),
      ),
    )
    .withPanel(
      timeseries(
        "Credential reveals by outcome",
        "ops",
        { id: 10, x: 12, y: 25 },
        query(
          `sum by (outcome) (rate(escrow_credential_reveals_total{${scope}}[${rate}]))`,
          "{{outcome}}",
        ),
      ),
    );
}

function loginRow(builder: DashboardBuilder): DashboardBuilder {
  const otpSuccess = query(
    `sum(rate(escrow_otp_verifications_total{${scope},outcome="success"}[${rate}])) / sum(rate(escrow_otp_verifications_total{${scope}}[${rate}]))`,
    "success",
  );
  return builder
    .withRow(new RowBuilder("Logins").id(101).gridPos({ x: 0, y: 33, w: 24, h: 1 }))
    .withPanel(timeseries("OTP success rate", "percentunit", { id: 11, x: 0, y: 34 }, otpSuccess))
    .withPanel(
      timeseries(
        "OTP verifications by outcome",
        "ops",
        { id: 12, x: 12, y: 34 },
        query(
          `sum by (outcome) (rate(escrow_otp_verifications_total{${scope}}[${rate}]))`,
          "{{outcome}}",
        ),
      ),
    )
    .withPanel(
      timeseries(
        "Failed logins by reason",
        "ops",
        { id: 13, x: 0, y: 42 },
        query(
          `sum by (reason) (rate(escrow_login_failures_total{${scope}}[${rate}]))`,
          "{{reason}}",
        ),
      ),
    )
    .withPanel(
      timeseries(
        "Account lockouts",
        "short",
        { id: 14, x: 12, y: 42 },
        query(`sum(increase(escrow_login_lockouts_total{${scope}}[${rate}]))`, "locked"),
      ),
    );
}

function serviceRow(builder: DashboardBuilder): DashboardBuilder {
  const errorRate = `sum(rate(http_request_duration_seconds_count{${scope},status=~"5.."}[${rate}])) / sum(rate(http_request_duration_seconds_count{${scope}}[${rate}]))`;
  const p95 = `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${scope}}[${rate}])))`;
  return builder
    .withRow(new RowBuilder("Service").id(102).gridPos({ x: 0, y: 50, w: 24, h: 1 }))
    .withPanel(
      timeseries(
        "5xx error rate",
        "percentunit",
        { id: 15, x: 0, y: 51, w: 8 },
        query(errorRate, "errors"),
      ),
    )
    .withPanel(timeseries("Latency p95", "s", { id: 16, x: 8, y: 51, w: 8 }, query(p95, "p95")))
    .withPanel(
      timeseries(
        "Database errors per minute",
        "short",
        { id: 17, x: 16, y: 51, w: 8 },
        query(
          `sum by (kind) (rate(escrow_database_errors_total{${scope}}[${rate}])) * 60`,
          "{{kind}}",
        ),
      ),
    );
}

/** The Escrow dashboard model. */
export function escrowDashboard(): DashboardDefinition {
  const builder = new DashboardBuilder("breakwater / Escrow")
    .uid("breakwater-escrow")
    .tags(["breakwater", "escrow"])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .timezone("utc")
    .withVariable(datasourceVariable());
  const json = serviceRow(loginRow(moneyRow(builder))).build();
  return { file: "escrow", json: json as unknown as Record<string, unknown> };
}
