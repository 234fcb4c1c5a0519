/**
 * @module promtool cases for the exchange edge's alerts (seed 002, 3.4 and Edge auth): each
 * fires on its signal and stays quiet below its threshold.
 */
import type { AlertGroup } from "../../../charts/alerts/alert-group";
import { firing, type RuleCase, ruleNamed, series } from "../rule-cases";

const edge = { namespace: "breakwater-services", service: "exchange-edge" } as const;
const backlogEdges = [
  "0",
  "1024",
  "4096",
  "16384",
  "65536",
  "262144",
  "1048576",
  "4194304",
  "16777216",
  "+Inf",
];

function counter(name: string, labels: Record<string, string>, values: string) {
  return { series: series(name, { ...edge, ...labels }), values };
}

/** Backlog buckets where every observation lies above `above` and at or below the next edge. */
function backlog(above: number) {
  return backlogEdges.map((le) =>
    counter(
      "ws_connection_backlog_bytes_bucket",
      { le },
      le !== "+Inf" && Number(le) <= above ? "0x30" : "0+10x30",
    ),
  );
}

function slowConsumerCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "ExchangeEdgeSlowConsumers");
  const closes = (values: string) => counter("ws_close_total", { reason: "SLOW_CONSUMER" }, values);
  return [
    {
      name: "ExchangeEdgeSlowConsumers fires at 5 SLOW_CONSUMER closes a minute for 5m",
      input_series: [closes("0+5x30"), counter("ws_close_total", { reason: "CLIENT" }, "0+100x30")],
      alert_rule_test: [
        {
          eval_time: "20m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              edge,
              "50 WebSocket clients of exchange-edge in breakwater-services were closed as SLOW_CONSUMER in the last 10m (threshold 20). Apply the 3.4 EdgeDegradation and scale the edge.",
            ),
          ],
        },
      ],
    },
    {
      name: "ExchangeEdgeSlowConsumers stays quiet at one close a minute, whatever clients close themselves",
      input_series: [closes("0+1x30"), counter("ws_close_total", { reason: "CLIENT" }, "0+100x30")],
      alert_rule_test: [{ eval_time: "20m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function backlogCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "ExchangeEdgeBacklogGrowing");
  return [
    {
      name: "ExchangeEdgeBacklogGrowing fires when connections hold over 256 KiB for 10m",
      input_series: backlog(262144),
      alert_rule_test: [
        {
          eval_time: "25m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              edge,
              "The p99 outbound backlog per connection of exchange-edge in breakwater-services is 1040712 bytes (threshold 262144). Apply the 3.4 EdgeDegradation before clients are closed as SLOW_CONSUMER.",
            ),
          ],
        },
      ],
    },
    {
      name: "ExchangeEdgeBacklogGrowing stays quiet while backlogs stay under 16 KiB",
      input_series: backlog(4096),
      alert_rule_test: [{ eval_time: "25m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function authCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "ExchangeEdgeAuthFailureSpike");
  const replays = (values: string) =>
    counter("replay_detect_total", { reason: "reused_nonce" }, values);
  const failures = (values: string) =>
    counter("auth_fail_total", { reason: "bad_signature" }, values);
  return [
    {
      name: "ExchangeEdgeAuthFailureSpike fires on forged signatures and replays together over 100 in 5m",
      input_series: [failures("0+20x30"), replays("0+10x30")],
      alert_rule_test: [
        {
          eval_time: "20m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              edge,
              "150 signed requests to exchange-edge in breakwater-services were refused or detected as replays in the last 5m (threshold 100). Read auth_fail_total by reason and replay_detect_total on the Exchange edge dashboard.",
            ),
          ],
        },
      ],
    },
    {
      name: "ExchangeEdgeAuthFailureSpike stays quiet at a few refusals a minute",
      input_series: [failures("0+5x30"), replays("0+1x30")],
      alert_rule_test: [{ eval_time: "20m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

export function exchangeEdgeCases(group: AlertGroup): RuleCase[] {
  return [...slowConsumerCases(group), ...backlogCases(group), ...authCases(group)];
}
