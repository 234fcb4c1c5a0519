/**
 * @module The shape of the alert unit tests: promtool `test rules` cases written as data, the
 * expected alert built from the rule's own definition (its summary and runbook_url) plus the
 * series labels and the description text a reader should see, and the runner that writes the
 * rule file from the TypeScript definitions and the test file beside it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { AlertGroup } from "../../charts/alerts/alert-group";
import { ruleFileOf } from "../../charts/alerts/alert-group";
import type { AlertRule } from "../../charts/alerts/alert-rule";
import { makeTempDir } from "../harness/process";
import { promtool } from "../harness/prometheus";

export interface ExpectedAlert {
  readonly exp_labels: Record<string, string>;
  readonly exp_annotations: Record<string, string>;
}

export interface AlertCheck {
  /** Minutes or a duration like `9h20m`, from the start of the series (1970-01-01 00:00 UTC, a Thursday). */
  readonly eval_time: string;
  readonly alertname: string;
  /** Empty: the alert must not fire at this time. */
  readonly exp_alerts: ExpectedAlert[];
}

export interface RuleCase {
  /** What the case shows, e.g. "fires when 10% of requests fail". */
  readonly name: string;
  /** Sample spacing of `values`. @default "1m" */
  readonly interval?: string;
  readonly input_series: { readonly series: string; readonly values: string }[];
  readonly alert_rule_test: AlertCheck[];
}

/** The labels every test series carries, as the ServiceMonitor scrape gives them. */
export const payments = { namespace: "breakwater-services", service: "payments" } as const;

/** A selector `name{labels}` for an input series. */
export function series(name: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return `${name}{${pairs.join(",")}}`;
}

/** The alert `rule` fires for `labels` with this description. */
export function firing(
  rule: AlertRule,
  labels: Record<string, string>,
  description: string,
): ExpectedAlert {
  return {
    exp_labels: { ...labels, severity: rule.severity, component: rule.component },
    exp_annotations: { summary: rule.summary, description, runbook_url: rule.runbookUrl },
  };
}

/** The rule named `name` in `group`; throws naming it when it is missing. */
export function ruleNamed(group: AlertGroup, name: string): AlertRule {
  const rule = group.rules.find((candidate) => candidate.name === name);
  if (rule === undefined) throw new Error(`${group.component}: no alert ${name}`);
  return rule;
}

/** Writes the group's rule file and the cases, runs `promtool test rules`. */
export async function runPromtoolCases(group: AlertGroup, cases: readonly RuleCase[]) {
  const dir = makeTempDir(`alerts-${group.component}`);
  writeFileSync(join(dir, "rules.yaml"), stringify(ruleFileOf([group])));
  const tests = cases.map(({ name: _name, interval, ...rest }) => ({
    interval: interval ?? "1m",
    ...rest,
  }));
  writeFileSync(
    join(dir, "tests.yaml"),
    stringify({ rule_files: ["rules.yaml"], evaluation_interval: "1m", tests }),
  );
  return promtool(["test", "rules", "tests.yaml"], { cwd: dir });
}
