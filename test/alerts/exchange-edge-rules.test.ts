/**
 * @module The exchange edge's alert rules under the real `promtool test rules`, each with a
 * case where it fires and one where it must not; the edge is tested before any environment
 * enables the exchange.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { exchangeEdgeAlerts } from "../../charts/alerts/exchange-edge-alerts";
import { loadEnvironment } from "../../environments";
import { exchangeEdgeCases } from "./cases/exchange-edge";
import { runPromtoolCases } from "./rule-cases";

const group = exchangeEdgeAlerts(loadEnvironment("prod"));
const cases = exchangeEdgeCases(group);

for (const ruleCase of cases) {
  test(ruleCase.name, async () => {
    const result = await runPromtoolCases(group, [ruleCase]);
    assert.is(result.code, 0, `${result.stdout}\n${result.stderr}`);
  });
}

test("every edge alert has a case where it fires and one where it must not", () => {
  const checks = cases.flatMap((ruleCase) => ruleCase.alert_rule_test);
  for (const rule of group.rules) {
    const own = checks.filter((check) => check.alertname === rule.name);
    assert.ok(
      own.some((check) => check.exp_alerts.length > 0),
      `${rule.name}: never fires`,
    );
    assert.ok(
      own.some((check) => check.exp_alerts.length === 0),
      `${rule.name}: always fires`,
    );
  }
});

test.run();
