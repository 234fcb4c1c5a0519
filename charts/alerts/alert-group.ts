/**
 * @module A component's alerts as one Prometheus rule group, and a set of groups as the rule
 * file Prometheus (and `promtool`) reads — the same data the `PrometheusRule` objects carry.
 */
import { type AlertRule, type PrometheusAlertingRule, toPrometheusRule } from "./alert-rule";

export interface AlertGroup {
  /** The component every rule of the group belongs to, e.g. `payments`. */
  readonly component: string;
  /** Rule group name, unique in a Prometheus, e.g. `breakwater.payments`. */
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: PrometheusAlertingRule[];
}

/** The group as Prometheus reads it. */
export function ruleGroupOf(group: AlertGroup): RuleGroup {
  return { name: group.name, rules: group.rules.map(toPrometheusRule) };
}

/** The content of a Prometheus rule file holding `groups`. */
export function ruleFileOf(groups: readonly AlertGroup[]): { groups: RuleGroup[] } {
  return { groups: groups.map(ruleGroupOf) };
}
