/**
 * @module `DashboardConfigMap`: a dashboard as a ConfigMap labelled `grafana_dashboard: "1"`,
 * which kube-prometheus-stack's Grafana sidecar loads from every namespace.
 */
import { ConfigMap } from "cdk8s-plus-27";
import { Construct } from "constructs";
import type { DashboardDefinition } from "./dashboard-definition";

/** The label (and value) the Grafana sidecar watches, as platform/components sets it. */
export const grafanaDashboardLabel = { grafana_dashboard: "1" } as const;

export interface DashboardConfigMapProps {
  readonly dashboard: DashboardDefinition;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

export class DashboardConfigMap extends Construct {
  readonly configMap: ConfigMap;

  constructor(scope: Construct, id: string, props: DashboardConfigMapProps) {
    super(scope, id);
    this.configMap = new ConfigMap(this, "config-map", {
      metadata: {
        name: `dashboard-${props.dashboard.file}`,
        namespace: props.namespace,
        labels: { ...props.labels, ...grafanaDashboardLabel },
      },
      data: {
        [`${props.dashboard.file}.json`]: `${JSON.stringify(props.dashboard.json, null, 2)}\n`,
      },
    });
  }
}
