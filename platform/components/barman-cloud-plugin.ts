/**
 * @module The CloudNativePG Barman Cloud plugin: the current way to archive WAL and take base
 * backups to an object store (the `ObjectStore` kind). It needs cert-manager for its TLS and
 * must share the operator's namespace, so both come before it.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartPins } from "../charts";
import { childOptions } from "./child-options";
import { installPinnedChart } from "./pinned-chart";

export class BarmanCloudPlugin extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: BarmanCloudPluginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:BarmanCloudPlugin", name, {}, opts);
    this.chart = installPinnedChart(
      name,
      chartPins.barmanCloudPlugin,
      { namespace: args.namespace, values: { replicaCount: args.replicas } },
      childOptions(this, opts),
    );
    this.registerOutputs({ chart: this.chart });
  }
}

export interface BarmanCloudPluginArgs {
  /** The CloudNativePG operator's namespace (the plugin is discovered there). */
  readonly namespace: pulumi.Input<string>;
  readonly replicas: number;
}
