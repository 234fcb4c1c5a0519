/**
 * @module promtool cases for `AutopilotBudgetExhausted`: the leader's budget at 0 for a minute
 * fires; budget left, or a follower at 0 beside a leader with budget left, does not.
 */
import type { AlertGroup } from "../../../charts/alerts/alert-group";
import { firing, type RuleCase, ruleNamed, series } from "../rule-cases";

const namespace = "breakwater-system";
const pod = (name: string) => ({
  namespace,
  service: "breakwater-autopilot",
  instance: `${name}:8080`,
});

export function autopilotCases(group: AlertGroup): RuleCase[] {
  const exhausted = ruleNamed(group, "AutopilotBudgetExhausted");
  return [
    {
      name: "AutopilotBudgetExhausted fires when the leader's budget is spent, not while any is left",
      input_series: [
        { series: series("autopilot_budget_remaining", pod("a")), values: "3 2 1 0x10" },
        { series: series("autopilot_leader", pod("a")), values: "1x13" },
        { series: series("autopilot_budget_remaining", pod("b")), values: "20x13" },
        { series: series("autopilot_leader", pod("b")), values: "0x13" },
      ],
      alert_rule_test: [
        { eval_time: "2m", alertname: exhausted.name, exp_alerts: [] },
        {
          eval_time: "6m",
          alertname: exhausted.name,
          exp_alerts: [
            firing(
              exhausted,
              { namespace },
              "The autopilot in breakwater-system created as many controls without a person as its budget allows in the window; every new decision is created awaiting approval (annotate ops.breakwater.dev/approved-by) until the window moves on.",
            ),
          ],
        },
      ],
    },
    {
      name: "AutopilotBudgetExhausted stays quiet when only a follower reads 0",
      input_series: [
        { series: series("autopilot_budget_remaining", pod("a")), values: "5x10" },
        { series: series("autopilot_leader", pod("a")), values: "1x10" },
        { series: series("autopilot_budget_remaining", pod("b")), values: "0x10" },
        { series: series("autopilot_leader", pod("b")), values: "0x10" },
      ],
      alert_rule_test: [{ eval_time: "8m", alertname: exhausted.name, exp_alerts: [] }],
    },
  ];
}
