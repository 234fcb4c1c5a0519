/**
 * @module The alert routing (charts/alerts/alert-routing.ts) as the kube-prometheus-stack
 * `AlertmanagerConfig` `breakwater` in the monitoring namespace; the platform names it as
 * Alertmanager's configuration. Credentials stay in Secrets Pulumi creates.
 */
import { ApiObject, Chart } from "cdk8s";
import type { Construct } from "constructs";
import type { Environment } from "../environments";
import { alertmanagerConfigResource } from "./alerts/alertmanager-config-resource";
import { environmentRouting } from "./alerts/environment-routing";
import { componentLabels } from "./labels";

export class AlertRoutingChart extends Chart {
  constructor(scope: Construct, id: string, environment: Environment) {
    super(scope, id, { disableResourceNameHashes: true });
    const resource = alertmanagerConfigResource(
      environmentRouting(environment),
      environment.namespaces.monitoring.name,
      componentLabels("breakwater-alert-routing", "alerts", environment.name),
    );
    const { apiVersion, kind, ...rest } = resource as { apiVersion: string; kind: string };
    new ApiObject(this, "alertmanager-config", {
      apiVersion,
      kind,
      ...rest,
    } as ConstructorParameters<typeof ApiObject>[2]);
  }
}
