/**
 * @module Installs one Helm chart at its pinned version with `kubernetes.helm.v4.Chart`, so
 * every operator component states its chart the same way and none can float to `latest`.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { type ChartPin, isExactVersion } from "../charts";

/**
 * A Chart for `pin`, rendered into `namespace` with `values` on top of the chart's defaults.
 * @throws Error when the pin is not one exact version (a range would upgrade silently).
 */
export function installPinnedChart(
  name: string,
  pin: ChartPin,
  args: PinnedChartArgs,
  opts: pulumi.ComponentResourceOptions,
): k8s.helm.v4.Chart {
  if (!isExactVersion(pin.version)) {
    throw new Error(
      `chart ${pin.chart}: version: expected one exact version, found "${pin.version}"`,
    );
  }
  return new k8s.helm.v4.Chart(
    name,
    {
      chart: pin.chart,
      version: pin.version,
      repositoryOpts: { repo: pin.repository },
      namespace: args.namespace,
      values: args.values ?? {},
    },
    opts,
  );
}

export interface PinnedChartArgs {
  /** The namespace the chart's namespaced objects go to. */
  readonly namespace: pulumi.Input<string>;
  /** Chart values, highest precedence. @default {} */
  readonly values?: pulumi.Inputs;
}
