/**
 * @module The PrometheusRules in `rendered/` are what Prometheus will load: `promtool check
 * rules` accepts every one's groups, and they are exactly the groups built from the alert
 * definitions for that environment (so the unit-tested rules are the shipped rules).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse, stringify } from "yaml";
import { ruleGroupOf } from "../../charts/alerts/alert-group";
import { alertGroups } from "../../charts/alerts/catalog";
import { environmentNames, loadEnvironment } from "../../environments";
import { makeTempDir } from "../harness/process";
import { promtool } from "../harness/prometheus";

const rendered = resolve(import.meta.dirname, "..", "..", "rendered");

function renderedRules(environment: string) {
  const folder = join(rendered, environment, "alerts");
  return readdirSync(folder)
    .filter((file) => file.startsWith("prometheusrule-"))
    .sort()
    .map((file) => ({ file, object: parse(readFileSync(join(folder, file), "utf8")) }));
}

for (const name of environmentNames) {
  test(`promtool check rules accepts every PrometheusRule rendered for ${name}`, async () => {
    const rules = renderedRules(name);
    assert.ok(rules.length > 0, `no PrometheusRule in rendered/${name}/alerts`);
    const dir = makeTempDir(`rendered-rules-${name}`);
    for (const { file, object } of rules) {
      assert.is(object.apiVersion, "monitoring.coreos.com/v1", file);
      const path = join(dir, file);
      writeFileSync(path, stringify({ groups: object.spec.groups }));
      const result = await promtool(["check", "rules", path]);
      assert.is(result.code, 0, `${file}: ${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /SUCCESS: \d+ rules found/);
    }
  });

  test(`the rendered rules of ${name} are the alert definitions for ${name}`, () => {
    const shipped = renderedRules(name).flatMap(({ object }) => object.spec.groups);
    const defined = alertGroups(loadEnvironment(name)).map(ruleGroupOf);
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    assert.equal(
      JSON.parse(JSON.stringify(shipped.sort(byName))),
      JSON.parse(JSON.stringify(defined.sort(byName))),
    );
  });
}

test("promtool check rules refuses a broken expression, so the check above can fail", async () => {
  const path = join(makeTempDir("broken-rule"), "broken.yaml");
  writeFileSync(
    path,
    stringify({
      groups: [{ name: "x", rules: [{ alert: "X", expr: "sum by (a (rate(x[5m]))" }] }],
    }),
  );
  const result = await promtool(["check", "rules", path]);
  assert.is.not(result.code, 0);
});

test.run();
