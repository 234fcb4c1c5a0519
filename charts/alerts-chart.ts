/**
 * @module The alerts stage: every alert group as a PrometheusRule and every dashboard as a
 * ConfigMap for the Grafana sidecar, in the monitoring namespace, synced after the apps.
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import type { Environment } from "../environments";
import { alertGroups } from "./alerts/catalog";
import { ComponentAlertRules } from "./alerts/prometheus-rules";
import { dashboards } from "./dashboards/catalog";
import { DashboardConfigMap } from "./dashboards/dashboard-config-map";
import { componentLabels } from "./labels";

export class AlertsChart extends Chart {
  readonly rules: ComponentAlertRules[];
  readonly dashboards: DashboardConfigMap[];

  constructor(scope: Construct, id: string, environment: Environment) {
    super(scope, id, { disableResourceNameHashes: true });
    const namespace = environment.namespaces.monitoring.name;
    this.rules = alertGroups(environment).map(
      (group) =>
        new ComponentAlertRules(this, `rules-${group.component}`, {
          group,
          namespace,
          labels: componentLabels(`breakwater-${group.component}`, "alerts", environment.name),
        }),
    );
    this.dashboards = dashboards(environment).map(
      (dashboard) =>
        new DashboardConfigMap(this, `dashboard-${dashboard.file}`, {
          dashboard,
          namespace,
          labels: componentLabels(`dashboard-${dashboard.file}`, "dashboards", environment.name),
        }),
    );
  }
}
