/**
 * @module `ComponentAlertRules`: one `monitoring.coreos.com/v1` PrometheusRule per alert
 * group, named `breakwater-<component>`, in the monitoring namespace where
 * kube-prometheus-stack's Prometheus selects every rule (see platform/components).
 */
import { Construct } from "constructs";
import type { AlertGroup } from "./alert-group";
import { ruleGroupOf } from "./alert-group";
import {
  PrometheusRuleSpecGroupsRulesExpr as Expr,
  PrometheusRule,
} from "./imports/monitoring-prometheusrule-monitoring.coreos.com";

export interface ComponentAlertRulesProps {
  readonly group: AlertGroup;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

export class ComponentAlertRules extends Construct {
  readonly rule: PrometheusRule;

  constructor(scope: Construct, id: string, props: ComponentAlertRulesProps) {
    super(scope, id);
    const group = ruleGroupOf(props.group);
    this.rule = new PrometheusRule(this, "rule", {
      metadata: {
        name: `breakwater-${props.group.component}`,
        namespace: props.namespace,
        labels: props.labels,
      },
      spec: {
        groups: [
          {
            name: group.name,
            rules: group.rules.map((rule) => ({
              alert: rule.alert,
              expr: Expr.fromString(rule.expr),
              for: rule.for,
              labels: rule.labels,
              annotations: rule.annotations,
            })),
          },
        ],
      },
    });
  }
}
