/**
 * @module promtool cases for `OutboxProcessingFailed`: relay attempts failing for 15m fire;
 * a burst that recovered, or successful publishing, does not. `OutboxEventsParked`: a parked
 * event for 5m fires; one re-queued within minutes, or none parked, does not.
 */
import type { AlertGroup } from "../../../charts/alerts/alert-group";
import { firing, payments, type RuleCase, ruleNamed, series } from "../rule-cases";

function outbox(result: string, values: string) {
  return { series: series("outbox_events_total", { ...payments, result }), values };
}

function parked(values: string) {
  return { series: series("outbox_events_parked", payments), values };
}

export function outboxCases(group: AlertGroup): RuleCase[] {
  const failed = ruleNamed(group, "OutboxProcessingFailed");
  const parkedRule = ruleNamed(group, "OutboxEventsParked");
  return [
    {
      name: "OutboxEventsParked fires once an event has been parked for 5m",
      input_series: [parked("0x5 2x20")],
      alert_rule_test: [
        { eval_time: "8m", alertname: parkedRule.name, exp_alerts: [] },
        {
          eval_time: "15m",
          alertname: parkedRule.name,
          exp_alerts: [
            firing(
              parkedRule,
              payments,
              "2 outbox events of payments in breakwater-services are parked after 5 failed deliveries of their own (the broker refused the record, or took other events meanwhile). Later events of their keys wait behind them. Fix the cause, then re-queue them.",
            ),
          ],
        },
      ],
    },
    {
      name: "OutboxEventsParked stays quiet when none is parked or one is re-queued within minutes",
      input_series: [parked("0x10 1x3 0x20")],
      alert_rule_test: [
        { eval_time: "12m", alertname: parkedRule.name, exp_alerts: [] },
        { eval_time: "30m", alertname: parkedRule.name, exp_alerts: [] },
      ],
    },
    {
      name: "OutboxProcessingFailed fires after 15m of failed relay attempts, not before",
      input_series: [outbox("published", "0+20x5 100x40"), outbox("failed", "0x5 0+2x40")],
      alert_rule_test: [
        { eval_time: "15m", alertname: failed.name, exp_alerts: [] },
        {
          eval_time: "30m",
          alertname: failed.name,
          exp_alerts: [
            firing(
              failed,
              payments,
              "The outbox relay of payments in breakwater-services has failed to publish for 15m (0.033 failed attempts/s); its events wait, in order, until the broker takes them.",
            ),
          ],
        },
      ],
    },
    {
      name: "OutboxProcessingFailed stays quiet after a short burst the relay recovered from",
      input_series: [outbox("published", "0+20x40"), outbox("failed", "0+5x3 15x40")],
      alert_rule_test: [
        { eval_time: "10m", alertname: failed.name, exp_alerts: [] },
        { eval_time: "30m", alertname: failed.name, exp_alerts: [] },
      ],
    },
  ];
}
