/** @module Unit tests of `alertRule`: the mixin conventions are enforced, naming the field. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type AlertRuleProps, alertRule, componentPrefix, toPrometheusRule } from "./alert-rule";

const source = { repoURL: "https://github.com/breakwater/breakwater.git", revision: "main" };
const valid: AlertRuleProps = {
  name: "PaymentsLedgerImbalance",
  component: "payments",
  severity: "critical",
  expr: "increase(ledger_imbalance_total[5m]) > 0",
  summary: "The ledger is out of balance.",
  description: "{{ $labels.currency }} is out of balance.",
};

function problemsOf(props: Partial<AlertRuleProps>): string {
  try {
    alertRule({ ...valid, ...props }, source);
  } catch (error) {
    return (error as Error).message;
  }
  return "";
}

test("a valid rule gets its runbook URL and renders severity, component and the texts", () => {
  const rule = alertRule({ ...valid, forDuration: "15m" }, source);
  assert.equal(toPrometheusRule(rule), {
    alert: "PaymentsLedgerImbalance",
    expr: valid.expr,
    for: "15m",
    labels: { severity: "critical", component: "payments" },
    annotations: {
      summary: valid.summary,
      description: valid.description,
      runbook_url:
        "https://github.com/breakwater/breakwater/blob/main/runbooks/payments/PaymentsLedgerImbalance.md",
    },
  });
  assert.not.ok("for" in toPrometheusRule(alertRule(valid, source)));
});

test("the name must be CamelCase with the component's prefix", () => {
  assert.match(
    problemsOf({ name: "LedgerImbalance" }),
    "name: expected the component prefix `Payments`",
  );
  assert.match(problemsOf({ name: "payments_ledger" }), "name: expected CamelCase");
  assert.is(componentPrefix("ledger-sync"), "LedgerSync");
});

test("summary is static, description templated, severity and for are checked", () => {
  assert.match(
    problemsOf({ summary: "{{ $labels.currency }} broke" }),
    "summary: expected a static",
  );
  assert.match(problemsOf({ description: "It broke." }), "description: expected a template");
  assert.match(
    problemsOf({ severity: "page" as never }),
    "severity: expected one of critical, warning, info",
  );
  assert.match(
    problemsOf({ forDuration: "15 minutes" }),
    "forDuration: expected a Prometheus duration",
  );
  assert.match(problemsOf({ component: "Payments" }), "component: expected a kebab-case name");
});

test("every problem is listed at once, each naming the alert", () => {
  const message = problemsOf({ summary: "", description: "plain" });
  assert.is(message.split("\n").length, 2);
  for (const line of message.split("\n")) assert.ok(line.startsWith("PaymentsLedgerImbalance: "));
});

test.run();
