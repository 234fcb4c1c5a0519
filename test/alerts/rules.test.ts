/**
 * @module Every alert is unit-tested with `promtool test rules` against the rule file built
 * from the same TypeScript definitions the chart renders (no copy), with at least one case
 * where it fires and one where it must not.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { AlertGroup } from "../../charts/alerts/alert-group";
import { alertGroups, disabledServiceAlertGroups } from "../../charts/alerts/catalog";
import { loadEnvironment } from "../../environments";
import { autopilotCases } from "./cases/autopilot";
import { kafkaCases, postgresCases, redisCases } from "./cases/data-plane";
import { escrowCases } from "./cases/escrow";
import { exchangeCases } from "./cases/exchange";
import { exchangeEdgeCases } from "./cases/exchange-edge";
import { httpCases } from "./cases/http";
import { operatorCases } from "./cases/operator";
import { outboxCases } from "./cases/outbox";
import { paymentsCases } from "./cases/payments";
import { purchasingCases } from "./cases/purchasing";
import { type RuleCase, runPromtoolCases } from "./rule-cases";

const casesByComponent: Record<string, (group: AlertGroup) => RuleCase[]> = {
  http: httpCases,
  operator: operatorCases,
  outbox: outboxCases,
  payments: paymentsCases,
  autopilot: autopilotCases,
  postgres: postgresCases,
  redis: redisCases,
  kafka: kafkaCases,
  purchasing: purchasingCases,
  exchange: exchangeCases,
  "exchange-edge": exchangeEdgeCases,
  escrow: escrowCases,
};

const prod = loadEnvironment("prod");
// Rules of services no environment enables yet are tested all the same.
const groups = [...alertGroups(prod), ...disabledServiceAlertGroups(prod)];

for (const group of groups) {
  const cases = casesByComponent[group.component]?.(group) ?? [];
  for (const ruleCase of cases) {
    test(ruleCase.name, async () => {
      const result = await runPromtoolCases(group, [ruleCase]);
      assert.is(result.code, 0, `${result.stdout}\n${result.stderr}`);
    });
  }
}

test("every alert has a case where it fires and one where it must not", () => {
  for (const group of groups) {
    const cases = casesByComponent[group.component]?.(group) ?? [];
    const checks = cases.flatMap((ruleCase) => ruleCase.alert_rule_test);
    for (const rule of group.rules) {
      const own = checks.filter((check) => check.alertname === rule.name);
      assert.ok(
        own.some((check) => check.exp_alerts.length > 0),
        `${rule.name}: no case where it fires`,
      );
      assert.ok(
        own.some((check) => check.exp_alerts.length === 0),
        `${rule.name}: no case where it must not fire`,
      );
    }
  }
});

test("a wrong expectation fails promtool, so the cases above can fail", async () => {
  const group = groups.find((candidate) => candidate.component === "outbox")!;
  const [fires] = outboxCases(group);
  const wrong: RuleCase = {
    ...fires!,
    alert_rule_test: fires!.alert_rule_test.map((check) => ({ ...check, exp_alerts: [] })),
  };
  const result = await runPromtoolCases(group, [wrong]);
  assert.is.not(result.code, 0, result.stdout);
});

test.run();
