/**
 * @module The "Transactions" dashboard seed 001's triage opens first ("Is it all providers or
 * one?"): purchases by provider and result, the failure ratio, provider calls by outcome and
 * their latency, each provider's breaker state per replica, and stuck reservations.
 */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as StatBuilder } from "@grafana/grafana-foundation-sdk/stat";
import type { DashboardDefinition } from "./dashboard-definition";
import { datasource, datasourceVariable, query, rate, timeseries } from "./panels";

const scope = 'service="purchasing"';

function providersRow(builder: DashboardBuilder): DashboardBuilder {
  const purchases = query(
    `sum by (provider, result) (rate(purchases_total{${scope}}[${rate}]))`,
    "{{provider}} {{result}}",
  );
  const failing = query(
    `sum(rate(purchases_total{${scope},result="failed"}[${rate}])) / sum(rate(purchases_total{${scope},result=~"completed|failed"}[${rate}]))`,
    "failed",
  );
  const calls = query(
    `sum by (provider, outcome) (rate(provider_requests_total{${scope}}[${rate}]))`,
    "{{provider}} {{outcome}}",
  );
  const latency = query(
    `histogram_quantile(0.95, sum by (provider, le) (rate(provider_request_duration_seconds_bucket{${scope}}[${rate}])))`,
    "{{provider}}",
  );
  return builder
    .withRow(new RowBuilder("Providers").id(100).gridPos({ x: 0, y: 0, w: 24, h: 1 }))
    .withPanel(
      timeseries("Purchases by provider and result", "ops", { id: 1, x: 0, y: 1 }, purchases),
    )
    .withPanel(timeseries("Purchase failure ratio", "percentunit", { id: 2, x: 12, y: 1 }, failing))
    .withPanel(timeseries("Provider calls by outcome", "ops", { id: 3, x: 0, y: 9 }, calls))
    .withPanel(timeseries("Provider latency p95", "s", { id: 4, x: 12, y: 9 }, latency));
}

function breakersRow(builder: DashboardBuilder): DashboardBuilder {
  const state = query(
    `max by (provider, replica) (provider_circuit_state{${scope}})`,
    "{{provider}} {{replica}}",
  );
  const stuck = new StatBuilder()
    .id(6)
    .title("Stuck reservations")
    .datasource(datasource)
    .gridPos({ x: 12, y: 18, w: 12, h: 8 })
    .withTarget(query(`max(purchase_reservations_stuck{${scope}})`, "stuck"));
  return builder
    .withRow(
      new RowBuilder("Breakers and reservations").id(101).gridPos({ x: 0, y: 17, w: 24, h: 1 }),
    )
    .withPanel(
      timeseries(
        "Breaker state (0 closed, 1 half-open, 2 open)",
        "short",
        { id: 5, x: 0, y: 18 },
        state,
      ),
    )
    .withPanel(stuck);
}

/** The Transactions dashboard model (purchasing). */
export function transactionsDashboard(): DashboardDefinition {
  const builder = new DashboardBuilder("breakwater / Transactions")
    .uid("breakwater-transactions")
    .tags(["breakwater", "purchasing"])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .timezone("utc")
    .withVariable(datasourceVariable());
  const json = breakersRow(providersRow(builder)).build();
  return { file: "transactions", json: json as unknown as Record<string, unknown> };
}
