/**
 * @module Opt-in Pulumi program that creates one environment's Kubernetes cluster on Google
 * Cloud (GKE): the cluster, one node pool per `cluster.nodePools` entry, and a kubeconfig for
 * the platform stack. It lives in `.mts` with its own package.json so that the default install
 * and the root typecheck never need `@pulumi/gcp`.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { type Environment, loadEnvironment } from "../../environments";

export class GkeCluster extends pulumi.ComponentResource {
  readonly cluster: gcp.container.Cluster;
  readonly nodePools: readonly gcp.container.NodePool[];
  /** Credentials for the cluster; secret, since it grants access to everything in it. */
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:cloud:GkeCluster", name, {}, opts);
    const cluster = args.environment.cluster;
    this.cluster = new gcp.container.Cluster(
      name,
      {
        name: cluster.name,
        location: cluster.region,
        minMasterVersion: cluster.kubernetesVersion,
        // Node pools are managed below, each sized from the environment.
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        // Dataplane V2 enforces NetworkPolicy: the platform's default-deny depends on it.
        datapathProvider: "ADVANCED_DATAPATH",
        releaseChannel: { channel: "REGULAR" },
        deletionProtection: args.environment.name === "prod",
      },
      { parent: this },
    );
    this.nodePools = cluster.nodePools.map(
      (pool) =>
        new gcp.container.NodePool(
          `${name}-${pool.name}`,
          {
            name: pool.name,
            cluster: this.cluster.name,
            location: cluster.region,
            autoscaling: { totalMinNodeCount: pool.minNodes, totalMaxNodeCount: pool.maxNodes },
            management: { autoRepair: true, autoUpgrade: true },
            nodeConfig: {
              machineType: pool.machineType,
              labels: pool.labels,
              oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
            },
          },
          { parent: this },
        ),
    );
    this.kubeconfig = pulumi.secret(kubeconfigFor(this.cluster));
    this.registerOutputs({ kubeconfig: this.kubeconfig });
  }
}

/** A kubeconfig whose context is named like the cluster, using gcloud's auth plugin. */
function kubeconfigFor(cluster: gcp.container.Cluster): pulumi.Output<string> {
  return pulumi
    .all([cluster.name, cluster.endpoint, cluster.masterAuth.clusterCaCertificate])
    .apply(([name, endpoint, certificateAuthority]) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          {
            name,
            cluster: {
              server: `https://${endpoint}`,
              "certificate-authority-data": certificateAuthority,
            },
          },
        ],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [
          {
            name,
            user: {
              exec: {
                apiVersion: "client.authentication.k8s.io/v1beta1",
                command: "gke-gcloud-auth-plugin",
                provideClusterInfo: true,
              },
            },
          },
        ],
      }),
    );
}

export interface GkeClusterArgs {
  /** The environment whose `cluster` section sizes the cluster. */
  readonly environment: Environment;
}

const environment = loadEnvironment(pulumi.getStack());
const gke = new GkeCluster(environment.cluster.name, { environment });

export const clusterName = gke.cluster.name;
export const kubeconfig = gke.kubeconfig;
