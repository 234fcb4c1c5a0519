/**
 * @module Tests the alert routing with the real `amtool`: every environment's configuration
 * passes `amtool check-config`, and each alert the charts define is routed, as
 * `amtool config routes test` answers, to the pager (critical) or the ticket (warning), and
 * also to the autopilot when an automation rule answers it. The AlertmanagerConfig the charts
 * render is the same tree.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stringify } from "yaml";
import { environmentNames, loadEnvironment } from "../../environments";
import { loadRules } from "../../policies/automation/load-rules";
import { alertmanagerYaml, alertRoutingSecrets, receiverNames } from "./alert-routing";
import { alertmanagerConfigResource } from "./alertmanager-config-resource";
import { alertGroups } from "./catalog";
import { environmentRouting } from "./environment-routing";

const directory = mkdtempSync(join(tmpdir(), "alert-routing-"));
for (const secret of Object.values(alertRoutingSecrets)) {
  writeFileSync(join(directory, secret.name), "a-credential-for-the-check");
}

function amtool(...args: string[]) {
  const result = spawnSync("amtool", args, { encoding: "utf8", timeout: 30_000 });
  return { code: result.status, out: `${result.stdout}${result.stderr}`.trim() };
}

function configFile(name: string): string {
  const path = join(directory, `${name}.yml`);
  const routing = environmentRouting(loadEnvironment(name as "prod"));
  const config = alertmanagerYaml(routing, {
    secretPath: (secret) => join(directory, secret.name),
  });
  writeFileSync(path, stringify(config));
  return path;
}

function receiversOf(path: string, labels: Record<string, string>): string[] {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  const result = spawnSync(
    "amtool",
    ["config", "routes", "test", `--config.file=${path}`, ...pairs],
    {
      encoding: "utf8",
      timeout: 30_000,
    },
  );
  assert.is(result.status, 0, result.stderr);
  // The first line is the receivers, comma-separated; a warning may follow it.
  return (result.stdout.split("\n")[0] ?? "")
    .split(",")
    .map((name) => name.trim())
    .sort();
}

for (const name of environmentNames) {
  test(`${name}: amtool check-config accepts the configuration`, () => {
    const result = amtool("check-config", configFile(name));
    assert.is(result.code, 0, result.out);
    assert.match(result.out, "SUCCESS");
  });
}

test("prod: every alert reaches the pager or the ticket, and the autopilot when a rule answers it", () => {
  const path = configFile("prod");
  const automated = new Set(loadRules().map((rule) => rule.alert));
  const alerts = alertGroups(loadEnvironment("prod")).flatMap((group) => group.rules);
  assert.ok(alerts.length >= 5);
  for (const alert of alerts) {
    const labels = {
      alertname: alert.name,
      severity: alert.severity,
      namespace: "breakwater-services",
      service: "payments",
      currency: "BTC",
    };
    const expected = [
      alert.severity === "critical"
        ? receiverNames.pager
        : alert.severity === "warning"
          ? receiverNames.ticket
          : receiverNames.none,
      ...(automated.has(alert.name) ? [receiverNames.autopilot] : []),
    ].sort();
    assert.equal(receiversOf(path, labels), expected, alert.name);
  }
  assert.equal(
    receiversOf(path, {
      alertname: "PaymentsLedgerImbalance",
      severity: "critical",
      service: "payments",
    }),
    ["autopilot", "pager"],
  );
});

test("an info alert reaches nobody", () => {
  assert.equal(receiversOf(configFile("prod"), { alertname: "Something", severity: "info" }), [
    "none",
  ]);
});

test("a critical alert inhibits the warnings of the same service", () => {
  const config = alertmanagerYaml(environmentRouting(loadEnvironment("prod")));
  assert.equal(config.inhibit_rules, [
    {
      source_matchers: ['severity="critical"'],
      target_matchers: ['severity="warning"'],
      equal: ["namespace", "service"],
    },
  ]);
});

test("the AlertmanagerConfig carries the same routes, credentials by Secret reference only", () => {
  const routing = environmentRouting(loadEnvironment("prod"));
  // biome-ignore lint/suspicious/noExplicitAny: a plain manifest
  const resource = alertmanagerConfigResource(routing, "monitoring", {}) as any;
  const plain = alertmanagerYaml(routing);
  assert.is(resource.spec.route.receiver, plain.route.receiver);
  assert.equal(
    resource.spec.route.routes.map((route: { receiver: string }) => route.receiver),
    plain.route.routes.map((route) => route.receiver),
  );
  assert.equal(resource.spec.route.routes[0].matchers, [
    {
      name: "alertname",
      matchType: "=~",
      value:
        "ExchangeInvariantViolation|ExchangeSettlementLagCritical|ExchangeSettlementLagHigh|PaymentsLedgerImbalance|PurchasingProviderBreakerFlapping",
    },
  ]);
  assert.is(resource.spec.route.routes[0].continue, true);
  const text = JSON.stringify(resource);
  assert.not.match(text, "a-credential");
  assert.match(text, '"routingKey":{"name":"alertmanager-pagerduty","key":"routing-key"}');
});

test.after(() => rmSync(directory, { recursive: true, force: true }));

test.run();
