/**
 * @module The Redpanda operator, which runs the Kafka-API brokers and their topics and users
 * from the `Redpanda`, `Topic` and `User` resources the charts render.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartPins } from "../charts";
import { childOptions } from "./child-options";
import { installPinnedChart } from "./pinned-chart";

export class RedpandaOperator extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: RedpandaOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:RedpandaOperator", name, {}, opts);
    this.chart = installPinnedChart(
      name,
      chartPins.redpandaOperator,
      {
        namespace: args.namespace,
        values: {
          // Stable CRDs only (Redpanda, Topic, User, Schema); experimental ones stay out.
          crds: { enabled: true },
          replicaCount: args.replicas,
        },
      },
      childOptions(this, opts),
    );
    this.registerOutputs({ chart: this.chart });
  }
}

export interface RedpandaOperatorArgs {
  readonly namespace: pulumi.Input<string>;
  readonly replicas: number;
}
