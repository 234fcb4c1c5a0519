/**
 * @module Argo CD, which syncs `rendered/<env>/` into the cluster, configured to judge
 * breakwater's control resources with our health script so a failed control is Degraded.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { controlHealthChecks } from "../argocd/control-health-checks";
import { chartPins } from "../charts";
import { childOptions } from "./child-options";
import { installPinnedChart } from "./pinned-chart";

/**
 * `argocd-cmd-params-cm`. The rendered ApplicationSet rolls out stage by stage
 * (`strategy.type: RollingSync`), which the ApplicationSet controller ignores unless
 * progressive syncs are on; the chart restarts the controller when this map changes.
 */
export const commandParameters = {
  "applicationsetcontroller.enable.progressive.syncs": "true",
} as const;

/**
 * `argocd-cm` settings beside the health checks. Tracking by annotation (Argo CD 3.x's default,
 * pinned here) means Argo CD prunes only what its own sync annotated: controls the autopilot
 * or a person creates with kubectl are never pruned by the `controls` Application
 * (charts/controls-application.ts), whatever labels they carry.
 */
export const argoCdSettings = {
  "application.resourceTrackingMethod": "annotation",
} as const;

export class ArgoCd extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:ArgoCd", name, {}, opts);
    this.chart = installPinnedChart(
      name,
      chartPins.argoCd,
      {
        namespace: args.namespace,
        values: {
          // Application CRDs outlive the chart, so uninstalling Argo CD never deletes apps.
          crds: { install: true, keep: true },
          configs: {
            cm: { ...controlHealthChecks(), ...argoCdSettings },
            params: commandParameters,
          },
          // charts/argocd-notifications.ts renders argocd-notifications-cm (synced from git);
          // ManifestSecrets creates argocd-notifications-secret with the webhook URL, so the
          // chart must not create an empty one over it.
          notifications: { cm: { create: false }, secret: { create: false } },
          controller: { replicas: args.replicas },
          repoServer: { replicas: args.replicas },
          server: { replicas: args.replicas },
        },
      },
      childOptions(this, opts),
    );
    this.registerOutputs({ chart: this.chart });
  }
}

export interface ArgoCdArgs {
  /** The environment's gitops namespace; the root application lives there too. */
  readonly namespace: pulumi.Input<string>;
  /** Replicas of the application controller, repo server and API server. */
  readonly replicas: number;
}
