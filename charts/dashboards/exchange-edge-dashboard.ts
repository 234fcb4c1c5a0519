/**
 * @module The exchange edge's dashboard: seed 002 section 2's "WS" row (connected clients,
 * outbound rate, drop and close counts, backlog per connection) and "Edge auth" row
 * (`auth_fail_total{reason}`, `replay_detect_total`, per-key rate-limit drops).
 */
import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type { DashboardDefinition } from "./dashboard-definition";
import { datasourceVariable, query, rate, timeseries } from "./panels";

const scope = 'service="exchange-edge"';

function wsRow(builder: DashboardBuilder): DashboardBuilder {
  const clients = query(`sum by (replica) (ws_connected_clients{${scope}})`, "{{replica}}");
  const outbound = query(
    `sum by (channel) (rate(ws_outbound_messages_total{${scope}}[${rate}]))`,
    "{{channel}}",
  );
  const closes = query(
    `sum by (reason) (rate(ws_close_total{${scope}}[${rate}]))`,
    "closed {{reason}}",
  );
  const drops = query(
    `sum by (reason) (rate(ws_dropped_messages_total{${scope}}[${rate}]))`,
    "dropped {{reason}}",
  );
  const backlog = query(
    `histogram_quantile(0.99, sum by (le) (rate(ws_connection_backlog_bytes_bucket{${scope}}[${rate}])))`,
    "p99",
  );
  const marketData = query(`min by (replica) (ws_market_data_up{${scope}})`, "{{replica}}");
  return builder
    .withRow(new RowBuilder("WS").id(100).gridPos({ x: 0, y: 0, w: 24, h: 1 }))
    .withPanel(timeseries("Connected clients", "short", { id: 1, x: 0, y: 1 }, clients))
    .withPanel(timeseries("Outbound messages by channel", "ops", { id: 2, x: 12, y: 1 }, outbound))
    .withPanel(
      timeseries("Closes and drops by reason", "ops", { id: 3, x: 0, y: 9 }, closes).withTarget(
        drops,
      ),
    )
    .withPanel(timeseries("Backlog per connection p99", "bytes", { id: 4, x: 12, y: 9 }, backlog))
    .withPanel(
      timeseries(
        "Market data feed up (1) or lost (0)",
        "short",
        { id: 5, x: 0, y: 17 },
        marketData,
      ),
    );
}

function authRow(builder: DashboardBuilder): DashboardBuilder {
  const failures = query(
    `sum by (reason) (rate(auth_fail_total{${scope}}[${rate}]))`,
    "{{reason}}",
  );
  const replays = query(
    `sum by (reason) (rate(replay_detect_total{${scope}}[${rate}]))`,
    "{{reason}}",
  );
  const drops = query(
    `topk(10, sum by (key_id) (rate(rate_limit_drops_total{${scope}}[${rate}])))`,
    "{{key_id}}",
  );
  return builder
    .withRow(new RowBuilder("Edge auth").id(101).gridPos({ x: 0, y: 25, w: 24, h: 1 }))
    .withPanel(timeseries("auth_fail_total by reason", "ops", { id: 6, x: 0, y: 26 }, failures))
    .withPanel(timeseries("replay_detect_total", "ops", { id: 7, x: 12, y: 26 }, replays))
    .withPanel(
      timeseries("Rate-limit drops per API key (top 10)", "ops", { id: 8, x: 0, y: 34 }, drops),
    );
}

/** The Exchange edge dashboard model. */
export function exchangeEdgeDashboard(): DashboardDefinition {
  const builder = new DashboardBuilder("breakwater / Exchange edge")
    .uid("breakwater-exchange-edge")
    .tags(["breakwater", "exchange"])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .timezone("utc")
    .withVariable(datasourceVariable());
  const json = authRow(wsRow(builder)).build();
  return { file: "exchange-edge", json: json as unknown as Record<string, unknown> };
}
