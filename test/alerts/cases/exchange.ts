/**
 * @module promtool cases for the exchange's alerts (seed 002 §3.1, §3.2, §3.3, §3.5): each
 * fires on its signal, and stays quiet when the signal is old, below its threshold or
 * recovered. The invariant alert says whether its scope is a symbol or unknown.
 */
import type { AlertGroup } from "../../../charts/alerts/alert-group";
import { settlementLagBucketsSeconds } from "../../../services/exchange/settlement/settlement-metrics";
import { firing, type RuleCase, ruleNamed, series } from "../rule-cases";

const exchange = { namespace: "breakwater-services", service: "exchange" } as const;

/** Lag buckets where every trade took between `fromSeconds` and the next edge. */
function lagBuckets(symbol: string, fromSeconds: number) {
  const edges = [...settlementLagBucketsSeconds.map(String), "+Inf"];
  return edges.map((le) => ({
    series: series("settlement_lag_seconds_bucket", { ...exchange, symbol, le }),
    values: le !== "+Inf" && Number(le) <= fromSeconds ? "0x20" : "0+60x20",
  }));
}

function counter(name: string, labels: Record<string, string>, values: string) {
  return { series: series(name, { ...exchange, ...labels }), values };
}

function invariantCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "ExchangeInvariantViolation");
  const balance = { asset: "BTC", kind: "balance_mismatch" };
  const unsettled = { symbol: "ETH-USD", kind: "unsettled_trade" };
  return [
    {
      name: "ExchangeInvariantViolation fires with scope unknown for an asset, symbol for a symbol",
      input_series: [
        counter("invariant_violation_total", balance, "_x3 1 2 3"),
        counter("invariant_violation_total", unsettled, "0x3 1 1 1"),
      ],
      alert_rule_test: [
        {
          eval_time: "5m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              { ...exchange, ...balance, scope: "unknown" },
              'The invariant checker of exchange in breakwater-services found balance_mismatch (asset "BTC", symbol "", scope unknown) in the last 5m. Halt withdrawals, put the symbol in CANCEL_ONLY (SOFT_HALT everything when the scope is unknown) and take a forensic bundle.',
            ),
            firing(
              rule,
              { ...exchange, ...unsettled, scope: "symbol" },
              'The invariant checker of exchange in breakwater-services found unsettled_trade (asset "", symbol "ETH-USD", scope symbol) in the last 5m. Halt withdrawals, put the symbol in CANCEL_ONLY (SOFT_HALT everything when the scope is unknown) and take a forensic bundle.',
            ),
          ],
        },
      ],
    },
    {
      name: "ExchangeInvariantViolation stays quiet when no violation was counted in 5m",
      input_series: [counter("invariant_violation_total", unsettled, "0 1 1x20")],
      alert_rule_test: [{ eval_time: "15m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function lagCases(group: AlertGroup): RuleCase[] {
  const high = ruleNamed(group, "ExchangeSettlementLagHigh");
  const critical = ruleNamed(group, "ExchangeSettlementLagCritical");
  const symbol = { ...exchange, symbol: "BTC-USD" };
  return [
    {
      name: "ExchangeSettlementLagHigh fires above T2, ExchangeSettlementLagCritical only above T3",
      input_series: lagBuckets("BTC-USD", 10),
      alert_rule_test: [
        {
          eval_time: "10m",
          alertname: high.name,
          exp_alerts: [
            firing(
              high,
              symbol,
              "Trades of BTC-USD reach the ledger of exchange in breakwater-services 29.8 s after execution at p99 (T2 5 s) over 2m. Policy: throttle new orders on BTC-USD; check PostgreSQL and the consumer.",
            ),
          ],
        },
        { eval_time: "10m", alertname: critical.name, exp_alerts: [] },
      ],
    },
    {
      name: "ExchangeSettlementLagCritical fires above T3",
      input_series: lagBuckets("BTC-USD", 30),
      alert_rule_test: [
        {
          eval_time: "10m",
          alertname: critical.name,
          exp_alerts: [
            firing(
              critical,
              symbol,
              "Trades of BTC-USD reach the ledger of exchange in breakwater-services 59.7 s after execution at p99 (T3 30 s) over 2m. Policy: SOFT_HALT BTC-USD until settlement catches up.",
            ),
          ],
        },
      ],
    },
    {
      name: "Neither lag alert fires when trades settle within 100 ms",
      input_series: lagBuckets("BTC-USD", 0.05),
      alert_rule_test: [
        { eval_time: "10m", alertname: high.name, exp_alerts: [] },
        { eval_time: "10m", alertname: critical.name, exp_alerts: [] },
      ],
    },
  ];
}

function stalledCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "ExchangeSettlementStalled");
  const reason = { reason: "invalid_event" };
  return [
    {
      name: "ExchangeSettlementStalled fires after 2m of failed settlement",
      input_series: [counter("settlement_failures_total", reason, "0 0+1x20")],
      alert_rule_test: [
        {
          eval_time: "6m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              { ...exchange, ...reason },
              "The settlement consumer of exchange in breakwater-services has failed to settle for 2m (invalid_event): its partition waits at that trade, so settlement lag grows without being measured. Read the consumer's log for the offset.",
            ),
          ],
        },
      ],
    },
    {
      name: "ExchangeSettlementStalled stays quiet once a failure is 5m old",
      input_series: [counter("settlement_failures_total", reason, "0 1 1x20")],
      alert_rule_test: [{ eval_time: "15m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function splitBrainCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "ExchangeSplitBrainSuspected");
  const symbol = { symbol: "BTC-USD" };
  const description =
    "exchange in breakwater-services saw a duplicate seq or a FENCING_TOKEN refusal on BTC-USD in the last 5m. HARD_HALT BTC-USD, confirm one leader holds the lease and token, preserve the evidence.";
  return [
    {
      name: "ExchangeSplitBrainSuspected fires on a duplicate seq",
      input_series: [counter("exchange_duplicate_seq_total", symbol, "0x3 1x5")],
      alert_rule_test: [
        {
          eval_time: "5m",
          alertname: rule.name,
          exp_alerts: [firing(rule, { ...exchange, ...symbol }, description)],
        },
      ],
    },
    {
      name: "ExchangeSplitBrainSuspected fires on a FENCING_TOKEN refusal",
      input_series: [counter("exchange_fencing_token_rejections_total", symbol, "0x3 2x5")],
      alert_rule_test: [
        {
          eval_time: "5m",
          alertname: rule.name,
          exp_alerts: [firing(rule, { ...exchange, ...symbol }, description)],
        },
      ],
    },
    {
      name: "ExchangeSplitBrainSuspected stays quiet while the counters stay at 0",
      input_series: [
        counter("exchange_duplicate_seq_total", symbol, "0x20"),
        counter("exchange_fencing_token_rejections_total", symbol, "0x20"),
      ],
      alert_rule_test: [
        { eval_time: "2m", alertname: rule.name, exp_alerts: [] },
        { eval_time: "15m", alertname: rule.name, exp_alerts: [] },
      ],
    },
  ];
}

function kafkaOutageCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "ExchangeKafkaOutage");
  const outbox = (result: string, values: string) =>
    counter("outbox_events_total", { result }, values);
  return [
    {
      name: "ExchangeKafkaOutage fires when every publish fails for 2m",
      input_series: [outbox("published", "0+30x5 150x20"), outbox("failed", "0x5 0+10x20")],
      alert_rule_test: [
        { eval_time: "6m", alertname: rule.name, exp_alerts: [] },
        {
          eval_time: "12m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              exchange,
              "Every outbox publish of exchange in breakwater-services has failed for 2m and none succeeded: trades and book changes wait in PostgreSQL (nothing is lost), settlement and market data stand still. Keep trading running; degrade market data; restore the brokers.",
            ),
          ],
        },
      ],
    },
    {
      name: "ExchangeKafkaOutage stays quiet while some publishes still succeed",
      input_series: [outbox("published", "0+30x20"), outbox("failed", "0+1x20")],
      alert_rule_test: [{ eval_time: "15m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

export function exchangeCases(group: AlertGroup): RuleCase[] {
  return [
    ...invariantCases(group),
    ...lagCases(group),
    ...stalledCases(group),
    ...splitBrainCases(group),
    ...kafkaOutageCases(group),
  ];
}
