/**
 * @module promtool cases for purchasing's alerts (seed 001): the purchase failure rate above
 * 10% with enough purchases to judge, stuck reservations above 50, and a provider's breaker
 * opening again and again; each also where it must not fire.
 */
import type { AlertGroup } from "../../../charts/alerts/alert-group";
import { firing, type RuleCase, ruleNamed, series } from "../rule-cases";

const purchasing = { namespace: "breakwater-services", service: "purchasing" } as const;

function purchases(provider: string, result: string, values: string) {
  return { series: series("purchases_total", { ...purchasing, provider, result }), values };
}

export function purchasingCases(group: AlertGroup): RuleCase[] {
  const failing = ruleNamed(group, "HighPurchaseFailureRate");
  const stuck = ruleNamed(group, "StuckReservations");
  const flapping = ruleNamed(group, "PurchasingProviderBreakerFlapping");
  const stuckSeries = series("purchase_reservations_stuck", purchasing);
  const openings = series("provider_circuit_transitions_total", {
    ...purchasing,
    provider: "a",
    state: "open",
  });
  return [
    {
      name: "HighPurchaseFailureRate fires when 20% of purchases fail for 5m",
      input_series: [purchases("b", "completed", "0+8x30"), purchases("none", "failed", "0+2x30")],
      alert_rule_test: [
        {
          eval_time: "15m",
          alertname: failing.name,
          exp_alerts: [
            firing(
              failing,
              purchasing,
              "20% of the purchases of purchasing in breakwater-services failed over the last 5m (threshold 10%). Check the Transactions dashboard: one provider or all?",
            ),
          ],
        },
      ],
    },
    {
      name: "HighPurchaseFailureRate stays quiet at 5% failing, and with too few purchases to judge",
      input_series: [
        purchases("a", "completed", "0+19x30"),
        purchases("none", "failed", "0+1x30"),
        purchases("c", "completed", "0x30"),
      ],
      alert_rule_test: [{ eval_time: "20m", alertname: failing.name, exp_alerts: [] }],
    },
    {
      name: "HighPurchaseFailureRate stays quiet when half of three purchases a minute fail at night",
      input_series: [purchases("a", "completed", "0+1x30"), purchases("none", "failed", "0+1x30")],
      alert_rule_test: [{ eval_time: "20m", alertname: failing.name, exp_alerts: [] }],
    },
    {
      name: "StuckReservations fires above 50 for 5m, not at 40",
      input_series: [{ series: stuckSeries, values: "40x10 60x20" }],
      alert_rule_test: [
        { eval_time: "9m", alertname: stuck.name, exp_alerts: [] },
        { eval_time: "13m", alertname: stuck.name, exp_alerts: [] },
        {
          eval_time: "20m",
          alertname: stuck.name,
          exp_alerts: [
            firing(
              stuck,
              purchasing,
              "60 purchases of purchasing in breakwater-services are pending past their deadline (threshold 50). Force a reconciliation run and look for held locks.",
            ),
          ],
        },
      ],
    },
    {
      name: "a breaker opening three times fires the flapping alert; once it settles it goes quiet",
      input_series: [{ series: openings, values: "0+1x3 3x60" }],
      alert_rule_test: [
        {
          eval_time: "3m",
          alertname: flapping.name,
          exp_alerts: [
            firing(
              flapping,
              { ...purchasing, provider: "a" },
              "The breaker of provider a in purchasing (breakwater-services) opened 3 times in 30m: it flaps between OPEN and CLOSED. Disable the provider with a ProviderDisable.",
            ),
          ],
        },
        { eval_time: "45m", alertname: flapping.name, exp_alerts: [] },
      ],
    },
  ];
}
