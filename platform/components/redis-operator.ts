/**
 * @module The OT-CONTAINER-KIT redis-operator, which runs the `RedisReplication` (primary,
 * replicas, the `redis-master` Service) and the `RedisSentinel` quorum that the charts render;
 * without it those objects are accepted by the API server and nothing acts on them.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartPins } from "../charts";
import { childOptions } from "./child-options";
import { installPinnedChart } from "./pinned-chart";

export class RedisOperator extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: RedisOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:RedisOperator", name, {}, opts);
    this.chart = installPinnedChart(
      name,
      chartPins.redisOperator,
      {
        namespace: args.namespace,
        values: {
          // The CRDs ship in the chart's crds/ folder, which helm.v4.Chart installs.
          redisOperator: {
            imagePullPolicy: "IfNotPresent",
            // No mutating webhook: it would need a cert-manager Issuer of its own and an
            // ingress port the API server can reach, and breakwater does not use it.
            webhook: false,
          },
          // Its bundled cert-manager subchart stays off: the platform installs cert-manager.
          certmanager: { enabled: false },
          replicas: args.replicas,
        },
      },
      childOptions(this, opts),
    );
    this.registerOutputs({ chart: this.chart });
  }
}

export interface RedisOperatorArgs {
  /** The operator's own namespace; it watches RedisReplication/RedisSentinel in every one. */
  readonly namespace: pulumi.Input<string>;
  /** Operator replicas (leader election keeps one active). */
  readonly replicas: number;
}
