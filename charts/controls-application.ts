/**
 * @module The `controls` Argo CD Application of one environment: it syncs
 * `environments/controls/<env>/` (charts/controls-folder.ts), so a control proposed by pull
 * request, reviewed, merged and synced is enforced like one applied with kubectl, and removing
 * its file lifts it (Argo CD prunes the resource; its finalizer lifts it everywhere first).
 *
 * What the autopilot or a person creates with kubectl is never pruned: Argo CD prunes only the
 * resources it tracks, and it tracks by the `argocd.argoproj.io/tracking-id` annotation, which
 * names the Application, the kind and the object, and which only its own sync writes. Argo CD
 * 3.x tracks by annotation by default; platform/components/argo-cd.ts sets it explicitly
 * (`application.resourceTrackingMethod: annotation`), because label tracking would treat any
 * control carrying `app.kubernetes.io/instance: <env>-controls` as its own and prune it.
 */
import type { Construct } from "constructs";
import type { Environment } from "../environments";
import { controlsPath } from "./controls-folder";
import { Application } from "./imports/argocd-application-argoproj.io";

const inCluster = "https://kubernetes.default.svc";

/** The Application's name: `<env>-controls`, beside the ApplicationSet's `<env>-<app>`. */
export function controlsApplicationName(environment: Pick<Environment, "name">): string {
  return `${environment.name}-controls`;
}

export function controlsApplication(
  scope: Construct,
  environment: Environment,
  project: string,
  labels: Record<string, string>,
): Application {
  return new Application(scope, "controls", {
    // No resources-finalizer: deleting the Application leaves the controls (and their halts)
    // in force; lifting is what removing a file from git, or kubectl delete, does.
    metadata: {
      name: controlsApplicationName(environment),
      namespace: environment.namespaces.gitops.name,
      labels,
    },
    spec: {
      project,
      source: {
        repoUrl: environment.gitops.repoURL,
        targetRevision: environment.gitops.revision,
        path: controlsPath(environment),
        // Only the manifests: the folder may hold a README, and nothing below it is synced.
        directory: { recurse: false, include: "*.yaml" },
      },
      destination: { server: inCluster, namespace: environment.namespaces.services.name },
      syncPolicy: {
        // Prune: removing a file lifts its control. allowEmpty: removing the last file must
        // lift the last control too (Argo CD refuses to prune an app to nothing otherwise).
        automated: { prune: true, selfHeal: true, allowEmpty: true },
        syncOptions: [
          "ServerSideApply=true",
          "CreateNamespace=false",
          // A control another Application already tracks is refused, never taken over.
          "FailOnSharedResource=true",
        ],
        retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
      },
    },
  });
}
