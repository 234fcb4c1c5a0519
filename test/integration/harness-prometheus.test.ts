/** @module Proof that the harness's Prometheus tools are real: promtool checks and unit-tests rules, the servers answer. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { makeTempDir } from "../harness/process";
import {
  type MonitoringServer,
  promtool,
  startAlertmanager,
  startPrometheus,
} from "../harness/prometheus";

const dir = makeTempDir("promtool-test");
const rulesPath = join(dir, "rules.yaml");
writeFileSync(
  rulesPath,
  `groups:
  - name: purchasing
    rules:
      - alert: OutboxProcessingFailed
        expr: increase(outbox_failures_total[5m]) > 0
        for: 1m
        labels:
          severity: critical
        annotations:
          summary: The outbox failed to publish
`,
);

const started: MonitoringServer[] = [];

test.after(async () => {
  for (const server of started) await server.stop();
});

test("promtool check rules passes a valid rule file", async () => {
  const result = await promtool(["check", "rules", rulesPath]);
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stdout, "SUCCESS: 1 rules found");
});

test("promtool check rules fails a broken rule file and says why", async () => {
  const brokenPath = join(dir, "broken.yaml");
  writeFileSync(
    brokenPath,
    "groups:\n  - name: broken\n    rules:\n      - alert: Broken\n        expr: rate(http_requests_total[5m] > 1\n",
  );
  const result = await promtool(["check", "rules", brokenPath]);
  assert.is.not(result.code, 0);
  assert.match(result.stderr + result.stdout, /parse error|unclosed|expected/i);
});

test("promtool test rules runs a unit test of an alert", async () => {
  const testPath = join(dir, "rules.test.yaml");
  writeFileSync(
    testPath,
    `rule_files:
  - ${rulesPath}
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'outbox_failures_total{service="purchasing"}'
        values: '0 1 2 3 4 5'
    alert_rule_test:
      - eval_time: 4m
        alertname: OutboxProcessingFailed
        exp_alerts:
          - exp_labels:
              severity: critical
              service: purchasing
            exp_annotations:
              summary: The outbox failed to publish
`,
  );
  const passing = await promtool(["test", "rules", testPath]);
  assert.is(passing.code, 0, passing.stdout + passing.stderr);
  assert.match(passing.stdout, "SUCCESS");

  // The same test expecting no alert must fail: promtool really evaluates the rule.
  writeFileSync(testPath, testFileExpectingNothing());
  const failing = await promtool(["test", "rules", testPath]);
  assert.is.not(failing.code, 0);
  assert.match(failing.stdout + failing.stderr, "FAILED");
});

function testFileExpectingNothing(): string {
  return `rule_files:
  - ${rulesPath}
tests:
  - interval: 1m
    input_series:
      - series: 'outbox_failures_total{service="purchasing"}'
        values: '0 1 2 3 4 5'
    alert_rule_test:
      - eval_time: 4m
        alertname: OutboxProcessingFailed
        exp_alerts: []
`;
}

test("Prometheus and Alertmanager start and answer ready", async () => {
  const alertmanager = await startAlertmanager();
  started.push(alertmanager);
  const prometheus = await startPrometheus({
    rulesFiles: [rulesPath],
    alertmanagerUrl: alertmanager.url,
  });
  started.push(prometheus);
  for (const server of [alertmanager, prometheus]) {
    const response = await fetch(`${server.url}/-/ready`);
    assert.is(response.status, 200, server.url);
  }
  const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
    data: { groups: { name: string; rules: { name: string }[] }[] };
  };
  assert.equal(
    rules.data.groups.map((group) => [group.name, group.rules.map((rule) => rule.name)]),
    [["purchasing", ["OutboxProcessingFailed"]]],
    "Prometheus loaded the rule file",
  );
});

test.run();
