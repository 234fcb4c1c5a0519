/**
 * @module The runbooks and the alerts point at each other: every alert's `runbook_url` resolves
 * to a file here, every file here belongs to an alert, and its metadata agrees with it.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { AlertRule } from "../charts/alerts/alert-rule";
import { alertGroups, disabledServiceAlertGroups } from "../charts/alerts/catalog";
import { runbookPathOfUrl } from "../charts/alerts/runbook-url";
import { loadAllEnvironments } from "../environments";
import { controlGroup, controlKinds, controlVersion } from "../operators/crds";
import { readRunbooks } from "./runbook-files";

const root = resolve(import.meta.dirname, "..");
const runbooks = readRunbooks();
const alerts = new Map<string, AlertRule>();
for (const environment of loadAllEnvironments()) {
  // The exchange's runbooks are written before any environment enables it; purchasing's are
  // not written yet, so only its enabled alerts would need them.
  const disabled = disabledServiceAlertGroups(environment).filter(
    (group) => group.component !== "purchasing",
  );
  for (const rule of [...alertGroups(environment), ...disabled].flatMap((group) => group.rules)) {
    alerts.set(rule.name, rule);
    const path = runbookPathOfUrl(environment.gitops, rule.runbookUrl);
    test(`${environment.name}: ${rule.name}'s runbook_url resolves to a runbook`, () => {
      assert.ok(path, `${rule.runbookUrl} is not a runbook URL of ${environment.gitops.repoURL}`);
      assert.ok(existsSync(join(root, path)), `${path} does not exist`);
    });
  }
}

test("every runbook belongs to an alert and its metadata agrees with it", () => {
  assert.ok(runbooks.length > 0);
  for (const runbook of runbooks) {
    const rule = alerts.get(runbook.name);
    assert.ok(rule, `${runbook.path}: no alert ${runbook.name}`);
    assert.is(runbook.component, rule.component, `${runbook.path}: folder`);
    assert.equal(
      { ...runbook.metadata, controls: undefined },
      { alert: rule.name, component: rule.component, severity: rule.severity, controls: undefined },
      runbook.path,
    );
  }
});

test("every control a runbook applies is a breakwater control kind it lists", () => {
  const kinds = new Set<string>(controlKinds.map((definition) => definition.kind));
  for (const runbook of runbooks) {
    const applied = runbook.yamlObjects.filter((object) => typeof object.kind === "string");
    for (const object of applied) {
      assert.is(object.apiVersion, `${controlGroup}/${controlVersion}`, runbook.path);
      assert.ok(kinds.has(object.kind as string), `${runbook.path}: ${String(object.kind)}`);
    }
    assert.equal(
      [...new Set(applied.map((object) => object.kind))].sort(),
      [...runbook.metadata.controls].sort(),
      `${runbook.path}: metadata controls`,
    );
  }
});

test.run();
