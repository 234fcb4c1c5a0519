/**
 * @module The exchange edge's alerts. Seed 002, 3.4 (WS fan-out overload, SEV2/SEV3):
 * `ExchangeEdgeSlowConsumers` when `ws_close_total{reason="SLOW_CONSUMER"}` keeps rising and
 * `ExchangeEdgeBacklogGrowing` when connections' outbound queues grow; both are answered by
 * an EdgeDegradation. Edge auth: `ExchangeEdgeAuthFailureSpike` when signed requests are
 * refused (`auth_fail_total`) or replayed (`replay_detect_total`) in numbers, which is a
 * client broken by a release, or someone trying keys.
 */
import type { Environment } from "../../environments";
import type { AlertGroup } from "./alert-group";
import { type AlertRuleProps, alertRule } from "./alert-rule";

export const exchangeEdgeComponent = "exchange-edge";

const scope = 'service="exchange-edge"';
const by = "namespace, service";

/** The windows and thresholds of the edge's alerts. */
export const exchangeEdgeThresholds = {
  /** SLOW_CONSUMER closes in `window` before 3.4 applies. */
  slowConsumer: { window: "10m", closes: 20, sustained: "5m" },
  /** p99 of the per-connection backlog (bytes, 256 KiB) over `window`. */
  backlog: { window: "5m", bytesP99: 262_144, sustained: "10m" },
  /** Refused plus replayed signed requests in `window`. */
  authFailures: { window: "5m", refusals: 100, sustained: "2m" },
} as const;

type EdgeAlert = Omit<AlertRuleProps, "component">;

function slowConsumers(): EdgeAlert {
  const { window, closes, sustained } = exchangeEdgeThresholds.slowConsumer;
  return {
    name: "ExchangeEdgeSlowConsumers",
    severity: "warning",
    expr: `sum by (${by}) (increase(ws_close_total{${scope},reason="SLOW_CONSUMER"}[${window}])) > ${closes}`,
    forDuration: sustained,
    summary: "The exchange edge keeps closing WebSocket clients that cannot keep up.",
    description: `{{ $value | printf "%.0f" }} WebSocket clients of {{ $labels.service }} in {{ $labels.namespace }} were closed as SLOW_CONSUMER in the last ${window} (threshold ${closes}). Apply the 3.4 EdgeDegradation and scale the edge.`,
  };
}

function backlogGrowing(): EdgeAlert {
  const { window, bytesP99, sustained } = exchangeEdgeThresholds.backlog;
  const buckets = `sum by (${by}, le) (rate(ws_connection_backlog_bytes_bucket{${scope}}[${window}]))`;
  return {
    name: "ExchangeEdgeBacklogGrowing",
    severity: "warning",
    expr: `histogram_quantile(0.99, ${buckets}) > ${bytesP99}`,
    forDuration: sustained,
    summary: "WebSocket connections of the exchange edge hold growing outbound queues.",
    description: `The p99 outbound backlog per connection of {{ $labels.service }} in {{ $labels.namespace }} is {{ $value | printf "%.0f" }} bytes (threshold ${bytesP99}). Apply the 3.4 EdgeDegradation before clients are closed as SLOW_CONSUMER.`,
  };
}

function authFailureSpike(): EdgeAlert {
  const { window, refusals, sustained } = exchangeEdgeThresholds.authFailures;
  const failed = `sum by (${by}) (increase(auth_fail_total{${scope}}[${window}]))`;
  const replayed = `sum by (${by}) (increase(replay_detect_total{${scope}}[${window}]))`;
  return {
    name: "ExchangeEdgeAuthFailureSpike",
    severity: "warning",
    expr: `(${failed} + ${replayed}) > ${refusals}`,
    forDuration: sustained,
    summary: "Many signed requests to the exchange edge are refused or replayed.",
    description: `{{ $value | printf "%.0f" }} signed requests to {{ $labels.service }} in {{ $labels.namespace }} were refused or detected as replays in the last ${window} (threshold ${refusals}). Read auth_fail_total by reason and replay_detect_total on the Exchange edge dashboard.`,
  };
}

/** The exchange edge's alert group for `environment`. */
export function exchangeEdgeAlerts(environment: Environment): AlertGroup {
  const rules = [slowConsumers(), backlogGrowing(), authFailureSpike()].map((props) =>
    alertRule({ ...props, component: exchangeEdgeComponent }, environment.gitops),
  );
  return { component: exchangeEdgeComponent, name: `breakwater.${exchangeEdgeComponent}`, rules };
}
