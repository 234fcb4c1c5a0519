/** @module Unit tests of the PromQL metric-name extractor and the exposition reader. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { exportedMetrics, metricNamesIn, selectorLabelsIn } from "./metric-names";

test("metric names, not functions, aggregations, labels, durations or keywords", () => {
  assert.equal(
    metricNamesIn(
      'histogram_quantile(0.95, sum by (namespace, le) (rate(http_request_duration_seconds_bucket{status=~"5.."}[5m]))) > 0.5',
    ),
    ["http_request_duration_seconds_bucket"],
  );
  assert.equal(
    metricNamesIn(
      "sum by (currency) (increase(ledger_imbalance_total[5m])) > 0\nor sum(ledger_imbalance_total unless ledger_imbalance_total offset 5m) > bool 0",
    ),
    ["ledger_imbalance_total"],
  );
  assert.equal(
    metricNamesIn(
      "max(payout_manual_review_queue_size) > 0 and on () (hour() >= 9 and day_of_week() <= 5)",
    ),
    ["payout_manual_review_queue_size"],
  );
});

test("binary operations, label matchers with braces in strings, subqueries and Grafana variables", () => {
  assert.equal(
    metricNamesIn(
      'a_total{path="/v1/{id}"} / on (service) group_left (team) b_info + max_over_time(c[1h:5m]) * 1e3 - rate(d[$__rate_interval])',
    ),
    ["a_total", "b_info", "c", "d"],
  );
  assert.equal(metricNamesIn('label_replace(up, "dst", "$1", "src", "(.*)") # comment metric'), [
    "up",
  ]);
  assert.equal(metricNamesIn("vector(1) and time() > 3600"), []);
});

test("selector labels name the matchers of each selector", () => {
  assert.equal(
    selectorLabelsIn(
      'rate(worker_runs_total{service="payments",worker!="x", result=~"f.*"}[5m]) / up',
    ),
    [{ metric: "worker_runs_total", labels: ["service", "worker", "result"] }],
  );
});

test("an exposition exports its samples and the series of what it declares (a histogram's _bucket, _sum, _count), not the bare histogram name", () => {
  const exposition = exportedMetrics(
    [
      "# HELP ledger_imbalance_total Findings.",
      "# TYPE ledger_imbalance_total counter",
      "# TYPE slow_seconds histogram",
      "# TYPE http_request_duration_seconds histogram",
      'http_request_duration_seconds_bucket{le="0.5",path="/v1/x",service="payments"} 3',
      'http_request_duration_seconds_count{path="/v1/x"} 3',
      "process_cpu_seconds_total 1.5",
    ].join("\n"),
  );
  for (const name of [
    "ledger_imbalance_total",
    "http_request_duration_seconds_bucket",
    "http_request_duration_seconds_count",
    "process_cpu_seconds_total",
    "slow_seconds_bucket",
    "slow_seconds_count",
  ])
    assert.ok(exposition.names.has(name), name);
  for (const name of ["slow_seconds", "http_request_duration_seconds", "slow_seconds_total"])
    assert.not.ok(exposition.names.has(name), name);
  assert.equal([...(exposition.labels.get("http_request_duration_seconds_bucket") ?? [])].sort(), [
    "le",
    "path",
    "service",
  ]);
});

test.run();
