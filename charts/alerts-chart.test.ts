/**
 * @module Unit tests of the alerts chart: one PrometheusRule per alert group and the Payments
 * dashboard ConfigMap for the Grafana sidecar, all in the monitoring namespace.
 */
import { Testing } from "cdk8s";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEnvironment } from "../environments";
import { AlertsChart } from "./alerts-chart";

const environment = loadEnvironment("prod");
const manifests = Testing.synth(new AlertsChart(Testing.app(), "alerts", environment));
const namespace = environment.namespaces.monitoring.name;

test("one PrometheusRule per component, in the monitoring namespace", () => {
  const rules = manifests.filter((object) => object.kind === "PrometheusRule");
  assert.equal(rules.map((rule) => rule.metadata.name).sort(), [
    "breakwater-autopilot",
    "breakwater-escrow",
    "breakwater-exchange",
    "breakwater-exchange-edge",
    "breakwater-http",
    "breakwater-kafka",
    "breakwater-operator",
    "breakwater-outbox",
    "breakwater-payments",
    "breakwater-postgres",
    "breakwater-purchasing",
    "breakwater-redis",
  ]);
  for (const rule of rules) {
    assert.is(rule.apiVersion, "monitoring.coreos.com/v1");
    assert.is(rule.metadata.namespace, namespace);
    for (const alert of rule.spec.groups[0].rules) {
      assert.ok(["critical", "warning", "info"].includes(alert.labels.severity), alert.alert);
      for (const key of ["summary", "description", "runbook_url"])
        assert.ok(alert.annotations[key], `${alert.alert}: ${key}`);
    }
  }
});

test("the Payments dashboard ships as a ConfigMap the Grafana sidecar loads", () => {
  const map = manifests.find(
    (object) => object.kind === "ConfigMap" && object.metadata.name === "dashboard-payments",
  );
  assert.ok(map);
  assert.is(map.metadata.labels.grafana_dashboard, "1");
  assert.is(map.metadata.namespace, namespace);
  const dashboard = JSON.parse(map.data["payments.json"]);
  assert.is(dashboard.uid, "breakwater-payments");
  const titles = dashboard.panels.map((panel: { title: string }) => panel.title);
  for (const title of [
    "Latency p50 by route",
    "Latency p99 by route",
    "5xx error rate by route",
    "Idempotency outcomes",
    "Manual review queue",
    "Worker runs by result",
    "Ledger imbalance findings",
    "Controls in force",
  ])
    assert.ok(titles.includes(title), title);
});

test('the data plane ships "DB/Prod" and "Redis/Cache" for the Grafana sidecar', () => {
  for (const [name, title] of [
    ["db-prod", "DB/Prod"],
    ["redis-cache", "Redis/Cache"],
  ] as const) {
    const map = manifests.find(
      (object) => object.kind === "ConfigMap" && object.metadata.name === `dashboard-${name}`,
    );
    assert.ok(map, name);
    assert.is(map.metadata.labels.grafana_dashboard, "1");
    assert.is(JSON.parse(map.data[`${name}.json`]).title, title);
  }
});

test.run();
