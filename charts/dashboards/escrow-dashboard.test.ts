/**
 * @module Unit tests of the Escrow dashboard model: seed 004's monitoring queries as panels
 * (high-value stuck transactions, refunds in the last hour, OTP success, failed logins...),
 * every query on the chosen data source and scoped to escrow (test/alerts/dashboard-queries
 * parses them with promtool, test/alerts/metrics-exported checks escrow exports each metric).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dashboardQueries } from "./dashboard-definition";
import { escrowDashboard } from "./escrow-dashboard";

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: { expr: string }[];
}

const dashboard = escrowDashboard();
const panels = dashboard.json.panels as Panel[];

test("the seed's monitoring queries and alert signals each have a panel", () => {
  const byTitle = new Map(panels.map((panel) => [panel.title, panel]));
  const expected: Record<string, RegExp> = {
    "High-value stuck transactions":
      /escrow_stuck_transactions\{.*band=~"1000_to_10000\|over_10000"/,
    "Refunds in the last hour": /escrow_admin_actions_total\{.*action="refund".*\[1h\]/,
    "Dispute backlog": /escrow_disputes\{/,
    "Failed payouts (1h)": /escrow_payouts_total\{.*result="failed"/,
    "Webhooks by outcome": /escrow_webhooks_total/,
    "OTP success rate": /outcome="success".*\/.*escrow_otp_verifications_total/,
    "Failed logins by reason": /sum by \(reason\) \(rate\(escrow_login_failures_total/,
    "Database errors per minute": /escrow_database_errors_total.*\* 60/,
  };
  for (const [title, pattern] of Object.entries(expected)) {
    const expr = byTitle.get(title)?.targets?.[0]?.expr ?? "";
    assert.match(expr, pattern, title);
  }
});

test("every data panel queries the chosen data source, scoped to escrow, with a unique id", () => {
  assert.is(new Set(panels.map((panel) => panel.id)).size, panels.length);
  const data = panels.filter((panel) => panel.type !== "row");
  for (const panel of data) assert.is(panel.datasource?.uid, "$datasource", panel.title);
  const queries = dashboardQueries(dashboard);
  assert.is(queries.length, data.length);
  for (const expr of queries) assert.match(expr, 'service="escrow"');
});

test.run();
