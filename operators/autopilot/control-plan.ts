/**
 * @module What a rule makes of one alert: the control's deterministic name (rule + target, so
 * every delivery of one incident names the same object), its spec from the alert's labels,
 * and the labels and annotations that tie it back to the alert.
 */
import { createHash } from "node:crypto";
import type { ActiveRule } from "../../policies/automation/load-rules";
import { templatePattern } from "../../policies/automation/rule-schema";
import { controlGroup, controlKinds, controlVersion } from "../crds/index";
import type { ResourceType } from "../runtime/resource";
import type { WebhookAlert } from "./webhook-payload";

export const managedByLabel = "app.kubernetes.io/managed-by";
export const managedByValue = "breakwater-autopilot";
export const ruleLabel = "autopilot.ops.breakwater.dev/rule";
export const alertNameLabel = "autopilot.ops.breakwater.dev/alertname";
export const fingerprintLabel = "autopilot.ops.breakwater.dev/fingerprint";
export const targetAnnotation = "autopilot.ops.breakwater.dev/target";
export const startsAtAnnotation = "autopilot.ops.breakwater.dev/alert-starts-at";
export const resolvedAtAnnotation = "autopilot.ops.breakwater.dev/alert-resolved-at";

export interface ControlPlan {
  readonly type: ResourceType;
  readonly namespace: string;
  readonly name: string;
  /** `label=value,…` of the target labels: the unit of dedupe, cooldown and storms. */
  readonly target: string;
  readonly spec: Record<string, unknown>;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** An alert the rule cannot act on (a target label missing); the message says why. */
export class PlanError extends Error {
  override readonly name = "PlanError";
}

/** Whether `rule` answers `alert`: its name and every matcher. */
export function ruleMatches(rule: ActiveRule, alert: WebhookAlert): boolean {
  if (alert.labels.alertname !== rule.alert) return false;
  return Object.entries(rule.matchers).every(([name, value]) => alert.labels[name] === value);
}

export function resourceTypeOf(kind: string): ResourceType {
  const definition = controlKinds.find((candidate) => candidate.kind === kind);
  if (!definition) throw new PlanError(`${kind} is not a control kind`);
  return { group: controlGroup, version: controlVersion, plural: definition.plural, kind };
}

/**
 * The name: `<rule>-<target values>` in lower case when the values are upper-case letters,
 * digits and dashes (so distinct values stay distinct), else `<rule>-<hash of the target>`.
 */
export function controlName(ruleName: string, values: readonly string[]): string {
  const readable = values.every((value) => /^[A-Z0-9][A-Z0-9-]*$/.test(value));
  const suffix = readable
    ? values.join("-").toLowerCase()
    : createHash("sha256").update(JSON.stringify(values)).digest("hex").slice(0, 12);
  const name = `${ruleName}-${suffix}`;
  return name.length <= 63
    ? name
    : `${ruleName}-${createHash("sha256").update(JSON.stringify(values)).digest("hex").slice(0, 12)}`;
}

function fill(value: unknown, labels: Record<string, string>): unknown {
  if (typeof value === "string") return value.replace(templatePattern, (_, name) => labels[name]!);
  if (Array.isArray(value)) return value.map((item) => fill(item, labels));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, fill(item, labels)]),
    );
  }
  return value;
}

/** The control `rule` creates for `alert`, in `defaultNamespace` unless the rule names one. */
export function planControl(
  rule: ActiveRule,
  alert: WebhookAlert,
  defaultNamespace: string,
): ControlPlan {
  const missing = rule.target.filter((label) => !alert.labels[label]);
  if (missing.length > 0) {
    throw new PlanError(`the alert has no ${missing.join(", ")} label to target`);
  }
  const values = rule.target.map((label) => alert.labels[label]!);
  const target = rule.target.map((label, index) => `${label}=${values[index]}`).join(",");
  return {
    type: resourceTypeOf(rule.control.kind),
    namespace: rule.control.namespace ?? defaultNamespace,
    name: controlName(rule.name, values),
    target,
    spec: fill(rule.control.spec, alert.labels) as Record<string, unknown>,
    labels: {
      [managedByLabel]: managedByValue,
      [ruleLabel]: rule.name,
      [alertNameLabel]: rule.alert,
      [fingerprintLabel]: alert.fingerprint,
    },
    annotations: { [targetAnnotation]: target, [startsAtAnnotation]: alert.startsAt },
  };
}

/** The ticket: the alert's own (`ticket` annotation or label) when well formed, else the rule's. */
export function ticketFor(rule: ActiveRule, alert: WebhookAlert): string {
  const own = alert.annotations.ticket ?? alert.labels.ticket;
  return own && /^[A-Z][A-Z0-9]+-[0-9]+$/.test(own) ? own : rule.ticket;
}

/** The reason: the alert's summary, and where it came from. */
export function reasonFor(rule: ActiveRule, alert: WebhookAlert, target: string): string {
  const summary = alert.annotations.summary?.trim() || `${rule.alert} is firing`;
  return `${summary} (alert ${rule.alert} on ${target}, automation rule ${rule.name})`.slice(
    0,
    1024,
  );
}
