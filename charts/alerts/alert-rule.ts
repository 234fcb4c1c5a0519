/**
 * @module `AlertRule`: one alerting rule as the monitoring mixins write them — a CamelCase
 * name with its component's prefix, `severity` critical (pages) | warning (ticket) | info, a
 * static `summary`, a templated `description`, and a `runbook_url` from the one pattern.
 * `alertRule()` refuses anything else, naming the alert and the field.
 */
import { type RunbookSource, runbookUrl } from "./runbook-url";

export const severities = ["critical", "warning", "info"] as const;
export type Severity = (typeof severities)[number];

export interface AlertRuleProps {
  /** CamelCase, starting with the component in CamelCase: `PaymentsLedgerImbalance`. */
  readonly name: string;
  /** kebab-case folder of the runbook, e.g. `payments`; also the `component` label. */
  readonly component: string;
  /**
   * The name is a seed runbook's own (DESIGN.md's "names to keep": `HighPurchaseFailureRate`,
   * `StuckReservations`), kept exactly instead of carrying the component prefix. @default false
   */
  readonly seedName?: boolean;
  readonly severity: Severity;
  /** PromQL; every series it returns is one alert. */
  readonly expr: string;
  /** How long `expr` must hold before the alert fires, e.g. `15m`. @default "0s" */
  readonly forDuration?: string;
  /** One static sentence: no template, so it groups and reads the same everywhere. */
  readonly summary: string;
  /** The occurrence, templated with `{{ $labels.x }}` / `{{ $value }}`. */
  readonly description: string;
}

export interface AlertRule extends AlertRuleProps {
  readonly runbookUrl: string;
}

/** The rule as Prometheus reads it in a rule file's group. */
export interface PrometheusAlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

const durationPattern = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
const componentPattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** `payments` → `Payments`, `ledger-sync` → `LedgerSync`. */
export function componentPrefix(component: string): string {
  return component
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

function problemsOf(props: AlertRuleProps): string[] {
  const problems: string[] = [];
  if (!componentPattern.test(props.component))
    problems.push("component: expected a kebab-case name like `payments`");
  if (!/^[A-Z][A-Za-z0-9]*$/.test(props.name))
    problems.push("name: expected CamelCase like `PaymentsLedgerImbalance`");
  else if (!props.seedName && !props.name.startsWith(componentPrefix(props.component)))
    problems.push(`name: expected the component prefix \`${componentPrefix(props.component)}\``);
  if (!severities.includes(props.severity))
    problems.push(`severity: expected one of ${severities.join(", ")}`);
  if (props.expr.trim() === "") problems.push("expr: expected a PromQL expression");
  if (props.forDuration !== undefined && !durationPattern.test(props.forDuration))
    problems.push("forDuration: expected a Prometheus duration like `15m`");
  if (props.summary.trim() === "" || props.summary.includes("{{"))
    problems.push("summary: expected a static sentence without `{{ }}`");
  if (!props.description.includes("{{"))
    problems.push(
      "description: expected a template naming the series, e.g. `{{ $labels.service }}`",
    );
  return problems;
}

/**
 * Validates an alert and gives it its runbook URL.
 * @throws Error listing every problem, e.g. `PaymentsX: summary: expected a static sentence…`.
 */
export function alertRule(props: AlertRuleProps, source: RunbookSource): AlertRule {
  const problems = problemsOf(props);
  if (problems.length > 0)
    throw new Error(problems.map((problem) => `${props.name}: ${problem}`).join("\n"));
  return { ...props, runbookUrl: runbookUrl(source, props.component, props.name) };
}

/** The rule Prometheus evaluates: severity and component as labels, the texts as annotations. */
export function toPrometheusRule(rule: AlertRule): PrometheusAlertingRule {
  return {
    alert: rule.name,
    expr: rule.expr,
    ...(rule.forDuration === undefined ? {} : { for: rule.forDuration }),
    labels: { severity: rule.severity, component: rule.component },
    annotations: {
      summary: rule.summary,
      description: rule.description,
      runbook_url: rule.runbookUrl,
    },
  };
}
