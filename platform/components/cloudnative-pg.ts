/**
 * @module The CloudNativePG operator, which runs every domain's PostgreSQL cluster with WAL
 * archiving for point-in-time recovery.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartPins } from "../charts";
import { childOptions } from "./child-options";
import { installPinnedChart } from "./pinned-chart";

export class CloudNativePg extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: CloudNativePgArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:CloudNativePg", name, {}, opts);
    this.chart = installPinnedChart(
      name,
      chartPins.cloudNativePg,
      {
        namespace: args.namespace,
        values: {
          crds: { create: true },
          replicaCount: args.replicas,
          // The clusters live in the data namespace, not beside the operator.
          config: { clusterWide: true },
        },
      },
      childOptions(this, opts),
    );
    this.registerOutputs({ chart: this.chart });
  }
}

export interface CloudNativePgArgs {
  /** The operator's namespace; the Barman Cloud plugin must be installed in the same one. */
  readonly namespace: pulumi.Input<string>;
  readonly replicas: number;
}
