/**
 * @module The Argo CD root application of one environment: it syncs the Argo CD objects that
 * `npm run synth` writes to `rendered/<env>/argocd/` (the AppProject and the ApplicationSet),
 * which in turn create one application per folder of `rendered/<env>/`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RootSyncPolicy } from "../root-sync-policy";
import { childOptions } from "./child-options";

/** The folder of `rendered/<env>/` holding the Argo CD app (AppProject, ApplicationSet). */
export const gitopsAppFolder = "argocd";

export class RootApplication extends pulumi.ComponentResource {
  readonly application: k8s.apiextensions.CustomResource;

  constructor(name: string, args: RootApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:RootApplication", name, {}, opts);
    const policy = args.syncPolicy;
    this.application = new k8s.apiextensions.CustomResource(
      name,
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: {
          name,
          namespace: args.namespace,
          // Deleting the root application deletes what it synced, in order, not orphans.
          finalizers: ["resources-finalizer.argocd.argoproj.io"],
          labels: { "app.kubernetes.io/part-of": "breakwater" },
        },
        spec: {
          project: "default",
          source: {
            repoURL: args.repoUrl,
            targetRevision: args.revision,
            path: `rendered/${args.environmentName}`,
            // Only the Argo CD folder: the ApplicationSet owns every other folder, and two
            // applications managing one object would fight over it.
            directory: { recurse: true, include: `${gitopsAppFolder}/*.yaml` },
          },
          destination: { server: "https://kubernetes.default.svc", namespace: args.namespace },
          syncPolicy: {
            automated: { prune: policy.prune, selfHeal: policy.selfHeal, allowEmpty: false },
            // Server-side apply: several CRDs are larger than client-side apply allows.
            syncOptions: ["ServerSideApply=true", "PruneLast=true"],
            retry: {
              limit: policy.retryLimit,
              backoff: { duration: "10s", factor: 2, maxDuration: "5m" },
            },
          },
        },
      },
      childOptions(this, opts),
    );
    this.registerOutputs({ name: this.application.metadata.name });
  }
}

export interface RootApplicationArgs {
  /** `dev`, `staging` or `prod`; the application syncs `rendered/<environmentName>`. */
  readonly environmentName: string;
  /** Argo CD's namespace, where Application objects must live. */
  readonly namespace: pulumi.Input<string>;
  /** The git repository Argo CD pulls from. */
  readonly repoUrl: pulumi.Input<string>;
  /** Branch, tag or commit to follow. */
  readonly revision: pulumi.Input<string>;
  readonly syncPolicy: RootSyncPolicy;
}
