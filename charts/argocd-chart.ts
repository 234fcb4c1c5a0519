/**
 * @module Argo CD for one environment: the AppProject that fences what breakwater may touch,
 * the ApplicationSet that turns each `rendered/<env>/<app>/` folder into an Application,
 * synced stage by stage (operators and CRDs, then data, then apps, then alerts), and the
 * `controls` Application that syncs the environment's control manifests from git.
 *
 * Pulumi's root Application points at `rendered/<env>/argocd/`; this ApplicationSet does the
 * rest. Stages are rolled out in order with the ApplicationSet RollingSync strategy; inside an
 * Application, objects carry sync waves as well.
 */
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import type { Environment } from "../environments";
import { type Stage, stages, stageWaves, syncWaveAnnotation } from "./argo";
import { controlsApplication } from "./controls-application";
import { ApplicationSet } from "./imports/argocd-applicationset-argoproj.io";
import { AppProject } from "./imports/argocd-appproject-argoproj.io";
import { componentLabels } from "./labels";

export const projectName = "breakwater";
export const stageLabel = "breakwater.dev/stage";
const inCluster = "https://kubernetes.default.svc";

export interface RenderedApp {
  /** Folder name under `rendered/<env>/`. */
  readonly name: string;
  readonly stage: Stage;
}

export interface ArgoCdChartProps {
  readonly environment: Environment;
  /** The apps the ApplicationSet generates (every rendered folder but `argocd` itself). */
  readonly apps: readonly RenderedApp[];
}

/** Where an environment's rendered manifests live in git. */
export function renderedPath(environment: Environment, app?: string): string {
  return app ? `rendered/${environment.name}/${app}` : `rendered/${environment.name}`;
}

export class ArgoCdChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { environment } = props;
    const namespace = environment.namespaces.gitops.name;
    const labels = componentLabels(projectName, "gitops", environment.name);
    const namespaces = Object.values(environment.namespaces).map((entry) => entry.name);
    new AppProject(this, "project", {
      metadata: { name: projectName, namespace, labels },
      spec: {
        description: `breakwater ${environment.name}: operators, data, services and alerts`,
        sourceRepos: [environment.gitops.repoURL],
        destinations: namespaces.map((name) => ({ server: inCluster, namespace: name })),
        // Cluster-scoped kinds breakwater owns; nothing else cluster-wide.
        clusterResourceWhitelist: [
          { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" },
          { group: "rbac.authorization.k8s.io", kind: "ClusterRole" },
          { group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" },
          { group: "admissionregistration.k8s.io", kind: "ValidatingAdmissionPolicy" },
          { group: "admissionregistration.k8s.io", kind: "ValidatingAdmissionPolicyBinding" },
        ],
        namespaceResourceWhitelist: [{ group: "*", kind: "*" }],
        orphanedResources: { warn: true },
      },
    });
    new ApplicationSet(this, "applications", {
      metadata: { name: `${projectName}-${environment.name}`, namespace, labels },
      spec: applicationSetSpec(environment, props.apps),
    });
    // Controls from git: environments/controls/<env>/, synced with prune.
    controlsApplication(this, environment, projectName, labels);
  }
}

function applicationSetSpec(environment: Environment, apps: readonly RenderedApp[]) {
  const generators = stages
    .map((stage) => ({ stage, folders: apps.filter((app) => app.stage === stage) }))
    .filter(({ folders }) => folders.length > 0)
    .map(({ stage, folders }) => ({
      git: {
        repoUrl: environment.gitops.repoURL,
        revision: environment.gitops.revision,
        directories: folders.map((app) => ({ path: renderedPath(environment, app.name) })),
        values: { stage, wave: String(stageWaves[stage]) },
      },
    }));
  return {
    goTemplate: true,
    goTemplateOptions: ["missingkey=error"],
    generators,
    // One stage at a time: CRDs and operators must be healthy before data, data before apps.
    strategy: {
      type: "RollingSync",
      rollingSync: {
        steps: stages.map((stage) => ({
          matchExpressions: [{ key: stageLabel, operator: "In", values: [stage] }],
        })),
      },
    },
    // Removing a folder removes the Application, never the databases behind it.
    syncPolicy: { preserveResourcesOnDeletion: true },
    template: {
      metadata: {
        name: `${environment.name}-{{.path.basename}}`,
        labels: { [stageLabel]: "{{.values.stage}}", "app.kubernetes.io/part-of": "breakwater" },
        annotations: { [syncWaveAnnotation]: "{{.values.wave}}" },
      },
      spec: {
        project: projectName,
        source: {
          repoUrl: environment.gitops.repoURL,
          targetRevision: environment.gitops.revision,
          path: "{{.path.path}}",
        },
        destination: { server: inCluster },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ["ServerSideApply=true", "CreateNamespace=false"],
          retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
        },
      },
    },
  };
}
