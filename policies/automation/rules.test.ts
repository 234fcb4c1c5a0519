/**
 * @module Tests that the committed automation rules load, that each answers an alert the
 * charts define with labels that alert carries, and that a malformed rule is refused with one
 * line naming the file and the field.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { alertGroups, disabledServiceAlertGroups } from "../../charts/alerts/catalog";
import { environmentNames, loadEnvironment } from "../../environments";
import { controlKinds } from "../../operators/crds/index";
import { defaultAutomationMode } from "./default-mode";
import { activeRules, loadRules, parseRuleFile, RuleError } from "./load-rules";

const valid = `rules:
  - name: payments-ledger-imbalance
    alert: PaymentsLedgerImbalance
    target: [currency]
    control:
      kind: WithdrawalHalt
      spec: { scope: { currencies: ["{{currency}}"] } }
    ticket: INC-1
    modes: { prod: auto }
    limits: { perWindow: 5, windowMinutes: 60, cooldownMinutes: 30 }
`;

function refusal(text: string): string {
  try {
    parseRuleFile("policies/automation/broken.yaml", text);
  } catch (error) {
    assert.instance(error, RuleError);
    return (error as Error).message;
  }
  throw new Error("the rule was accepted");
}

test("the committed rules load, and PaymentsLedgerImbalance halts payouts per currency", () => {
  const rules = loadRules();
  const rule = rules.find((candidate) => candidate.alert === "PaymentsLedgerImbalance");
  assert.ok(rule);
  assert.is(rule.control.kind, "WithdrawalHalt");
  assert.equal(rule.target, ["currency"]);
  assert.equal(rule.control.spec, {
    scope: { services: ["payments"], currencies: ["{{currency}}"] },
  });
  assert.is(rule.modes.prod, "auto");
  assert.is(rule.liftOnResolve, false);
  assert.match(rule.file, /policies\/automation\/payments\.yaml$/);
});

test("a flapping provider breaker asks for a ProviderDisable of that provider, with approval everywhere", () => {
  const rule = loadRules().find(
    (candidate) => candidate.alert === "PurchasingProviderBreakerFlapping",
  );
  assert.ok(rule);
  assert.is(rule.control.kind, "ProviderDisable");
  assert.equal(rule.target, ["provider"]);
  assert.equal(rule.matchers, { service: "purchasing" });
  assert.equal(rule.control.spec, { provider: "{{provider}}" });
  for (const name of environmentNames) {
    const active = activeRules(
      [rule],
      name,
      defaultAutomationMode(loadEnvironment(name)) ?? "auto",
    );
    assert.is(active[0]!.mode, "approval", name);
  }
  assert.is(rule.liftOnResolve, false);
});

test("every rule answers an alert the charts define, grouped by its target labels", () => {
  const environment = loadEnvironment("prod");
  const groups = [...alertGroups(environment), ...disabledServiceAlertGroups(environment)];
  const alerts = groups.flatMap((group) => group.rules);
  for (const rule of loadRules()) {
    const alert = alerts.find((candidate) => candidate.name === rule.alert);
    assert.ok(alert, `${rule.file}: ${rule.alert} is not an alert the charts render`);
    for (const label of rule.target) {
      assert.ok(alert.expr.includes(label), `${rule.alert} does not carry ${label}`);
    }
  }
});

test("each environment's default mode comes from features.autopilot", () => {
  const rules = loadRules();
  for (const name of environmentNames) {
    const environment = loadEnvironment(name);
    const mode = defaultAutomationMode(environment);
    const active = activeRules(rules, name, mode ?? "dryRun");
    const halt = active.find((rule) => rule.alert === "PaymentsLedgerImbalance")!;
    assert.is(halt.mode, name === "prod" ? "auto" : "dryRun", name);
  }
});

test("a malformed rule is one line naming the file and the field", () => {
  assert.is(
    refusal(valid.replace("WithdrawalHalt", "PayoutFreeze")),
    `policies/automation/broken.yaml: rules[0].control.kind: expected one of ${controlKinds.map((definition) => definition.kind).join(", ")}`,
  );
  assert.match(
    refusal(valid.replace("prod: auto", "prod: yolo")),
    /^policies\/automation\/broken\.yaml: rules\[0\]\.modes\.prod: expected auto, approval or dryRun$/,
  );
  assert.match(refusal(valid.replace("INC-1", "incident one")), /: rules\[0\]\.ticket: /);
  assert.match(
    refusal(valid.replace("perWindow: 5", "perWindow: 0")),
    /: rules\[0\]\.limits\.perWindow: /,
  );
  assert.match(
    refusal(valid.replace("    ticket", "    tickt: x\n    ticket")),
    /: rules\[0\]: .*tickt/,
  );
  assert.match(refusal("rules: [\n"), /^policies\/automation\/broken\.yaml: not YAML: /);
  assert.not.match(refusal(`${valid}  - {}\n`), /\n/);
});

test("a spec may use only the target labels", () => {
  assert.match(
    refusal(valid.replace("{{currency}}", "{{instance}}")),
    /rules\[0\]\.control\.spec: \{\{instance\}\} is not a target label \(currency\)$/,
  );
});

test("a resolved alert may not lift a kind that protects money", () => {
  for (const kind of ["WithdrawalHalt", "SymbolMode", "ProviderDisable", "LockFlush"]) {
    const text = `${valid.replace("WithdrawalHalt", kind)}    liftOnResolve: true\n`;
    assert.match(
      refusal(text),
      `rules[0].liftOnResolve: ${kind} protects money: a person lifts it, never a resolved alert`,
    );
  }
});

test("two rules with one name in a folder are refused, naming both files", () => {
  const directory = mkdtempSync(join(tmpdir(), "rules-"));
  try {
    writeFileSync(join(directory, "a.yaml"), valid);
    writeFileSync(join(directory, "b.yaml"), valid);
    assert.throws(
      () => loadRules(directory),
      (error: Error) =>
        /b\.yaml: name: payments-ledger-imbalance is already a rule in .*a\.yaml$/.test(
          error.message,
        ),
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test.run();
