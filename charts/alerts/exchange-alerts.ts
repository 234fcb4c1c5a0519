/**
 * @module The exchange's alerts, from seed 002's SEV1 and SEV2 playbooks: §3.1 an invariant
 * violation, §3.2 settlement lag past T2 (throttle) and T3 (halt) from `environments/`,
 * §3.3 split brain suspected (a duplicate seq, or a stale leader's writes refused with
 * FENCING_TOKEN), §3.5 Kafka out (the outbox cannot publish trades, or settlement stopped).
 * Severities follow the routes: SEV1 and SEV2 page (`critical`); the T2 throttle is a
 * `warning`, because the autopilot throttles and the ticket is enough until T3.
 */
import type { Environment } from "../../environments";
import type { AlertGroup } from "./alert-group";
import { type AlertRuleProps, alertRule } from "./alert-rule";
import { fixedAlertThresholds as fixed } from "./fixed-thresholds";

export const exchangeComponent = "exchange";

const scope = 'service="exchange"';
const by = "namespace, service";
const windows = fixed.exchange;

type Thresholds = Environment["alerts"];
type ExchangeAlert = Omit<AlertRuleProps, "component">;

/** The look-back of the invariant and split-brain signals, e.g. `5m`. */
function signalWindow(thresholds: Thresholds): string {
  return `${thresholds.exchangeSignalWindowMinutes}m`;
}

/** Grew in `window`, or appeared within it (`increase()` cannot see a first sample). */
function counterGrew(series: string, labels: string, window: string): string {
  return [
    `sum by (${by}, ${labels}) (increase(${series}[${window}])) > 0`,
    `or sum by (${by}, ${labels}) (${series} unless ${series} offset ${window}) > 0`,
  ].join("\n");
}

/**
 * Adds `scope`: `symbol` when the violation names a symbol, `unknown` when it does not (an
 * asset's books), so automation can apply CANCEL_ONLY to a symbol or SOFT_HALT to all.
 */
function withScope(expr: string): string {
  return `label_replace(label_replace(\n${expr}\n, "scope", "unknown", "symbol", ""), "scope", "symbol", "symbol", ".+")`;
}

function invariantViolation(thresholds: Thresholds): ExchangeAlert {
  const window = signalWindow(thresholds);
  return {
    name: "ExchangeInvariantViolation",
    severity: "critical",
    expr: withScope(
      counterGrew(`invariant_violation_total{${scope}}`, "asset, symbol, kind", window),
    ),
    summary: "An exchange ledger invariant is violated: funds may be missing or doubled.",
    description: `The invariant checker of {{ $labels.service }} in {{ $labels.namespace }} found {{ $labels.kind }} (asset "{{ $labels.asset }}", symbol "{{ $labels.symbol }}", scope {{ $labels.scope }}) in the last ${window}. Halt withdrawals, put the symbol in CANCEL_ONLY (SOFT_HALT everything when the scope is unknown) and take a forensic bundle.`,
  };
}

function lagP99(): string {
  return `histogram_quantile(0.99, sum by (${by}, symbol, le) (rate(settlement_lag_seconds_bucket{${scope}}[${windows.lagWindow}])))`;
}

function settlementLag(thresholds: Thresholds): ExchangeAlert {
  const t2 = thresholds.settlementLag.t2ThrottleSeconds;
  return {
    name: "ExchangeSettlementLagHigh",
    severity: "warning",
    expr: `${lagP99()} > ${t2}`,
    forDuration: windows.lagSustained,
    summary: "Settlement lag p99 is above T2: new orders on the symbol are throttled.",
    description: `Trades of {{ $labels.symbol }} reach the ledger of {{ $labels.service }} in {{ $labels.namespace }} {{ $value | printf "%.1f" }} s after execution at p99 (T2 ${t2} s) over ${windows.lagWindow}. Policy: throttle new orders on {{ $labels.symbol }}; check PostgreSQL and the consumer.`,
  };
}

function settlementLagCritical(thresholds: Thresholds): ExchangeAlert {
  const t3 = thresholds.settlementLag.t3HaltSeconds;
  return {
    name: "ExchangeSettlementLagCritical",
    severity: "critical",
    expr: `${lagP99()} > ${t3}`,
    forDuration: windows.lagSustained,
    summary: "Settlement lag p99 is above T3: the symbol is soft-halted.",
    description: `Trades of {{ $labels.symbol }} reach the ledger of {{ $labels.service }} in {{ $labels.namespace }} {{ $value | printf "%.1f" }} s after execution at p99 (T3 ${t3} s) over ${windows.lagWindow}. Policy: SOFT_HALT {{ $labels.symbol }} until settlement catches up.`,
  };
}

function settlementStalled(thresholds: Thresholds): ExchangeAlert {
  const sustained = windows.outageSustained;
  return {
    name: "ExchangeSettlementStalled",
    severity: "critical",
    expr: `sum by (${by}, reason) (increase(settlement_failures_total{${scope}}[${signalWindow(thresholds)}])) > 0`,
    forDuration: sustained,
    summary: "Settlement has stopped at a trade it cannot post; trades behind it wait.",
    description: `The settlement consumer of {{ $labels.service }} in {{ $labels.namespace }} has failed to settle for ${sustained} ({{ $labels.reason }}): its partition waits at that trade, so settlement lag grows without being measured. Read the consumer's log for the offset.`,
  };
}

function splitBrain(thresholds: Thresholds): ExchangeAlert {
  const window = signalWindow(thresholds);
  const duplicate = `exchange_duplicate_seq_total{${scope}}`;
  const conflict = `invariant_violation_total{${scope},kind="duplicate_seq"}`;
  const fencing = `exchange_fencing_token_rejections_total{${scope}}`;
  return {
    name: "ExchangeSplitBrainSuspected",
    severity: "critical",
    expr: [
      counterGrew(duplicate, "symbol", window),
      `or ${counterGrew(conflict, "symbol", window)}`,
      `or ${counterGrew(fencing, "symbol", window)}`,
    ].join("\n"),
    summary: "Two engines may be writing one symbol: a duplicate seq or a stale leader's write.",
    description: `{{ $labels.service }} in {{ $labels.namespace }} saw a duplicate seq or a FENCING_TOKEN refusal on {{ $labels.symbol }} in the last ${window}. HARD_HALT {{ $labels.symbol }}, confirm one leader holds the lease and token, preserve the evidence.`,
  };
}

function kafkaOutage(): ExchangeAlert {
  const sustained = windows.outageSustained;
  const failed = `outbox_events_total{${scope},result="failed"}`;
  const published = `outbox_events_total{${scope},result="published"}`;
  return {
    name: "ExchangeKafkaOutage",
    severity: "critical",
    expr: [
      `sum by (${by}) (rate(${failed}[${windows.lagWindow}])) > 0`,
      `unless sum by (${by}) (rate(${published}[${windows.lagWindow}])) > 0`,
    ].join("\n"),
    forDuration: sustained,
    summary: "The exchange cannot publish to Kafka: trades wait in the outbox, unsettled.",
    description: `Every outbox publish of {{ $labels.service }} in {{ $labels.namespace }} has failed for ${sustained} and none succeeded: trades and book changes wait in PostgreSQL (nothing is lost), settlement and market data stand still. Keep trading running; degrade market data; restore the brokers.`,
  };
}

/** The exchange alert group for one environment's thresholds. */
export function exchangeAlerts(environment: Environment): AlertGroup {
  const thresholds = environment.alerts;
  const alerts = [
    invariantViolation(thresholds),
    settlementLag(thresholds),
    settlementLagCritical(thresholds),
    settlementStalled(thresholds),
    splitBrain(thresholds),
    kafkaOutage(),
  ];
  const rules = alerts.map((alert) =>
    alertRule({ ...alert, component: exchangeComponent }, environment.gitops),
  );
  return { component: exchangeComponent, name: `breakwater.${exchangeComponent}`, rules };
}
