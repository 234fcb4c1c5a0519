/**
 * @module cert-manager, which issues the certificates of the operators' webhooks and of the
 * Barman Cloud plugin's gRPC endpoint; everything that needs a certificate waits for it.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartPins } from "../charts";
import { childOptions } from "./child-options";
import { installPinnedChart } from "./pinned-chart";

export class CertManager extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:CertManager", name, {}, opts);
    this.chart = installPinnedChart(
      name,
      chartPins.certManager,
      {
        namespace: args.namespace,
        values: {
          // CRDs stay when the chart goes, so Certificates in use are never deleted with it.
          crds: { enabled: true, keep: true },
          replicaCount: args.replicas,
          webhook: { replicaCount: args.replicas },
          cainjector: { replicaCount: args.replicas },
        },
      },
      childOptions(this, opts),
    );
    this.registerOutputs({ chart: this.chart });
  }
}

export interface CertManagerArgs {
  readonly namespace: pulumi.Input<string>;
  /** Controller, webhook and cainjector replicas (2 or more for high availability). */
  readonly replicas: number;
}
