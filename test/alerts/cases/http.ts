/**
 * @module promtool cases for the HTTP alerts: the 5xx share and the p95 latency of a service,
 * each firing above the environment's threshold and staying quiet below it.
 */
import type { AlertGroup } from "../../../charts/alerts/alert-group";
import { firing, payments, type RuleCase, ruleNamed, series } from "../rule-cases";

function requests(status: string, values: string) {
  const labels = { ...payments, method: "POST", path: "/v1/transfers", status };
  return { series: series("http_request_duration_seconds_count", labels), values };
}

function buckets(perMinute: Record<string, number>) {
  return Object.entries(perMinute).map(([le, count]) => ({
    series: series("http_request_duration_seconds_bucket", {
      ...payments,
      method: "POST",
      path: "/v1/transfers",
      status: "201",
      le,
    }),
    values: `0+${count}x40`,
  }));
}

export function httpCases(group: AlertGroup): RuleCase[] {
  const errors = ruleNamed(group, "HttpErrorRateHigh");
  const latency = ruleNamed(group, "HttpLatencyP95High");
  const severe = ruleNamed(group, "HttpLatencyP95Severe");
  return [
    {
      name: "HttpErrorRateHigh fires when 10% of requests answer 5xx for 10m, not before",
      input_series: [requests("201", "0+90x40"), requests("503", "0+10x40")],
      alert_rule_test: [
        { eval_time: "8m", alertname: errors.name, exp_alerts: [] },
        {
          eval_time: "20m",
          alertname: errors.name,
          exp_alerts: [
            firing(
              errors,
              payments,
              "payments in breakwater-services answers 10% of requests with a 5xx over 5m (threshold 5%).",
            ),
          ],
        },
      ],
    },
    {
      name: "HttpErrorRateHigh stays quiet at 3% 5xx and ignores 4xx refusals",
      input_series: [
        requests("201", "0+47x40"),
        requests("423", "0+50x40"),
        requests("500", "0+3x40"),
      ],
      alert_rule_test: [{ eval_time: "30m", alertname: errors.name, exp_alerts: [] }],
    },
    {
      name: "HttpLatencyP95High fires when requests take 0.5–1 s for 10m",
      input_series: buckets({ "0.25": 0, "0.5": 0, "1": 10, "+Inf": 10 }),
      alert_rule_test: [
        { eval_time: "8m", alertname: latency.name, exp_alerts: [] },
        {
          eval_time: "20m",
          alertname: latency.name,
          exp_alerts: [
            firing(
              latency,
              payments,
              "payments in breakwater-services answers 95% of requests within 975ms over 5m, above 500ms.",
            ),
          ],
        },
      ],
    },
    {
      name: "HttpLatencyP95High stays quiet when requests take under 250 ms",
      input_series: buckets({ "0.25": 10, "0.5": 10, "1": 10, "+Inf": 10 }),
      alert_rule_test: [{ eval_time: "30m", alertname: latency.name, exp_alerts: [] }],
    },
    {
      name: "HttpLatencyP95Severe fires when requests take 5–10 s, and stays quiet at 0.5–1 s",
      input_series: buckets({ "1": 0, "5": 0, "10": 10, "+Inf": 10 }),
      alert_rule_test: [
        { eval_time: "8m", alertname: severe.name, exp_alerts: [] },
        {
          eval_time: "20m",
          alertname: severe.name,
          exp_alerts: [
            firing(
              severe,
              payments,
              "payments in breakwater-services answers 95% of requests within 9.75s over 5m, above 5000ms: clients time out.",
            ),
          ],
        },
      ],
    },
    {
      name: "HttpLatencyP95Severe stays quiet when only the warning threshold is crossed",
      input_series: buckets({ "0.5": 0, "1": 10, "5": 10, "+Inf": 10 }),
      alert_rule_test: [
        { eval_time: "30m", alertname: severe.name, exp_alerts: [] },
        {
          eval_time: "30m",
          alertname: latency.name,
          exp_alerts: [
            firing(
              latency,
              payments,
              "payments in breakwater-services answers 95% of requests within 975ms over 5m, above 500ms.",
            ),
          ],
        },
      ],
    },
  ];
}
