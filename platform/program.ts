/**
 * @module The bootstrap of one cluster, in dependency order: namespaces first; cert-manager
 * before the Barman Cloud plugin, which also needs the CloudNativePG operator beside it; the
 * backup credentials; and the Argo CD root application last, once every operator whose CRDs
 * the rendered manifests use is installed.
 */
import { ArgoCd } from "./components/argo-cd";
import { BackupCredentials } from "./components/backup-credentials";
import { BarmanCloudPlugin } from "./components/barman-cloud-plugin";
import { CertManager } from "./components/cert-manager";
import { CloudNativePg } from "./components/cloudnative-pg";
import { MonitoringStack } from "./components/monitoring-stack";
import { Namespaces } from "./components/namespaces";
import { RedpandaOperator } from "./components/redpanda-operator";
import { RepositoryCredentials } from "./components/repository-credentials";
import { RootApplication } from "./components/root-application";
import { operatorNamespaceNames, planNamespaces } from "./namespace-plan";
import { rootSyncPolicyFor } from "./root-sync-policy";
import type { PlatformSettings } from "./settings";

/** How long Prometheus keeps samples; longer history belongs in long-term storage. */
const metricsRetentionDays = 15;

/** Every component of the bootstrap, for stack outputs and tests. */
export interface Platform {
  readonly namespaces: Namespaces;
  readonly certManager: CertManager;
  readonly cloudNativePg: CloudNativePg;
  readonly barmanCloudPlugin: BarmanCloudPlugin;
  readonly redpandaOperator: RedpandaOperator;
  readonly monitoring: MonitoringStack;
  readonly argoCd: ArgoCd;
  readonly backupCredentials: BackupCredentials;
  /** Present only when the stack has a `repoToken` (a private repository). */
  readonly repositoryCredentials?: RepositoryCredentials;
  readonly rootApplication: RootApplication;
}

/** Declares the whole bootstrap of `settings.environment`'s cluster. */
export function definePlatform(settings: PlatformSettings): Platform {
  const environment = settings.environment;
  const names = environment.namespaces;
  // Operators run as many replicas as breakwater's own operator: 2+ where it must not stop.
  const replicas = environment.operator.replicas;
  const namespaces = new Namespaces("namespaces", { plans: planNamespaces(environment) });
  const afterNamespaces = { dependsOn: [namespaces] };

  const certManager = new CertManager(
    "cert-manager",
    { namespace: operatorNamespaceNames.certManager, replicas },
    afterNamespaces,
  );
  const cloudNativePg = new CloudNativePg(
    "cloudnative-pg",
    { namespace: operatorNamespaceNames.cloudNativePg, replicas },
    afterNamespaces,
  );
  const barmanCloudPlugin = new BarmanCloudPlugin(
    "barman-cloud-plugin",
    { namespace: operatorNamespaceNames.cloudNativePg, replicas },
    { dependsOn: [namespaces, certManager, cloudNativePg] },
  );
  const redpandaOperator = new RedpandaOperator(
    "redpanda-operator",
    { namespace: operatorNamespaceNames.redpanda, replicas },
    afterNamespaces,
  );
  const monitoring = new MonitoringStack(
    "monitoring",
    { namespace: names.monitoring.name, replicas, retentionDays: metricsRetentionDays },
    afterNamespaces,
  );
  const argoCd = new ArgoCd("argo-cd", { namespace: names.gitops.name, replicas }, afterNamespaces);
  const credentials = environment.objectStore.credentials;
  const backupCredentials = new BackupCredentials(
    "backup-credentials",
    {
      namespace: names.data.name,
      secretName: credentials.secretName,
      accessKeyIdKey: credentials.accessKeyIdKey,
      secretAccessKeyKey: credentials.secretAccessKeyKey,
      accessKeyId: settings.objectStoreAccessKeyId,
      secretAccessKey: settings.objectStoreSecretAccessKey,
    },
    afterNamespaces,
  );
  const repository = settings.repository;
  const repositoryCredentials = repository
    ? new RepositoryCredentials(
        "breakwater-repository",
        {
          namespace: names.gitops.name,
          repoUrl: settings.repoUrl,
          username: repository.username,
          token: repository.token,
        },
        afterNamespaces,
      )
    : undefined;
  const rootApplication = new RootApplication(
    "breakwater",
    {
      environmentName: environment.name,
      namespace: names.gitops.name,
      repoUrl: settings.repoUrl,
      revision: settings.revision,
      syncPolicy: rootSyncPolicyFor(environment.name),
    },
    {
      dependsOn: [
        argoCd,
        certManager,
        cloudNativePg,
        barmanCloudPlugin,
        redpandaOperator,
        monitoring,
        backupCredentials,
        ...(repositoryCredentials ? [repositoryCredentials] : []),
      ],
    },
  );
  return {
    namespaces,
    certManager,
    cloudNativePg,
    barmanCloudPlugin,
    redpandaOperator,
    monitoring,
    argoCd,
    backupCredentials,
    ...(repositoryCredentials ? { repositoryCredentials } : {}),
    rootApplication,
  };
}
