/**
 * @module kube-prometheus-stack: Prometheus, Alertmanager and Grafana driven by the
 * PrometheusRule, ServiceMonitor and dashboard ConfigMaps that the charts render.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alertmanagerConfigName } from "../../charts/alerts/alertmanager-config-resource";
import { chartPins } from "../charts";
import { childOptions } from "./child-options";
import { installPinnedChart } from "./pinned-chart";

export class MonitoringStack extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:MonitoringStack", name, {}, opts);
    // Select rules and monitors from every namespace, not only the release's own: breakwater's
    // alerts are rendered by the charts and carry no Helm release label.
    const everywhere = {
      ruleSelectorNilUsesHelmValues: false,
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
    };
    this.chart = installPinnedChart(
      name,
      chartPins.kubePrometheusStack,
      {
        namespace: args.namespace,
        values: {
          crds: { enabled: true },
          prometheus: {
            prometheusSpec: {
              ...everywhere,
              replicas: args.replicas,
              retention: `${args.retentionDays}d`,
            },
          },
          alertmanager: {
            alertmanagerSpec: {
              replicas: args.replicas,
              // The routes are code: the charts render this AlertmanagerConfig in the
              // release's namespace (charts/alert-routing-chart.ts), and it replaces the
              // chart's default configuration.
              alertmanagerConfiguration: { name: alertmanagerConfigName },
            },
          },
          // Dashboards are ConfigMaps labelled for the Grafana sidecar, in any namespace.
          grafana: {
            sidecar: {
              dashboards: { enabled: true, label: "grafana_dashboard", searchNamespace: "ALL" },
            },
          },
        },
      },
      childOptions(this, opts),
    );
    this.registerOutputs({ chart: this.chart });
  }
}

export interface MonitoringStackArgs {
  readonly namespace: pulumi.Input<string>;
  /** Prometheus and Alertmanager replicas. */
  readonly replicas: number;
  /** How long Prometheus keeps samples. */
  readonly retentionDays: number;
}
