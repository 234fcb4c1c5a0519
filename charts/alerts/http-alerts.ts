/**
 * @module Alerts every kit service gets from `http_request_duration_seconds{method,path,status}`:
 * the 5xx share and the p95 latency per service, against the environment's thresholds: a
 * warning above `latencyP95Ms` and a page above `latencySevereMs` (seed 001's SEV-2, > 5 s).
 */
import type { Environment } from "../../environments";
import type { AlertGroup } from "./alert-group";
import { alertRule } from "./alert-rule";
import { fixedAlertThresholds as fixed } from "./fixed-thresholds";

export const httpComponent = "http";

const by = "namespace, service";
const requests = "http_request_duration_seconds_count";

function p95Above(seconds: number, window: string): string {
  return `histogram_quantile(0.95, sum by (${by}, le) (rate(http_request_duration_seconds_bucket[${window}]))) > ${seconds}`;
}

/** HTTP alerts for one environment's error ratio and p95 latency. */
export function httpAlerts(environment: Environment): AlertGroup {
  const { errorRatio, latencyP95Ms, latencySevereMs } = environment.alerts;
  const window = fixed.rateWindow;
  const rules = [
    alertRule(
      {
        name: "HttpErrorRateHigh",
        component: httpComponent,
        severity: "critical",
        expr: [
          `sum by (${by}) (rate(${requests}{status=~"5.."}[${window}]))`,
          `/ sum by (${by}) (rate(${requests}[${window}]))`,
          `> ${errorRatio}`,
        ].join("\n"),
        forDuration: fixed.httpSustained,
        summary: "A service answers too many requests with a server error.",
        description: `{{ $labels.service }} in {{ $labels.namespace }} answers {{ $value | humanizePercentage }} of requests with a 5xx over ${window} (threshold ${errorRatio * 100}%).`,
      },
      environment.gitops,
    ),
    alertRule(
      {
        name: "HttpLatencyP95High",
        component: httpComponent,
        severity: "warning",
        expr: p95Above(latencyP95Ms / 1000, window),
        forDuration: fixed.httpSustained,
        summary: "A service answers slowly at the 95th percentile.",
        description: `{{ $labels.service }} in {{ $labels.namespace }} answers 95% of requests within {{ $value | humanizeDuration }} over ${window}, above ${latencyP95Ms}ms.`,
      },
      environment.gitops,
    ),
    alertRule(
      {
        name: "HttpLatencyP95Severe",
        component: httpComponent,
        severity: "critical",
        expr: p95Above(latencySevereMs / 1000, window),
        forDuration: fixed.httpSustained,
        summary: "A service takes seconds to answer at the 95th percentile.",
        description: `{{ $labels.service }} in {{ $labels.namespace }} answers 95% of requests within {{ $value | humanizeDuration }} over ${window}, above ${latencySevereMs}ms: clients time out.`,
      },
      environment.gitops,
    ),
  ];
  return { component: httpComponent, name: `breakwater.${httpComponent}`, rules };
}
