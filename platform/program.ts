/**
 * @module The bootstrap of one cluster, in dependency order: namespaces first; cert-manager
 * before the Barman Cloud plugin, which also needs the CloudNativePG operator beside it; the
 * backup bucket (on Amazon S3) and its credentials and every Secret the manifests reference; the
 * CDN records of the public hostnames; and the Argo CD root application last, once every operator whose CRDs the
 * rendered manifests use is installed.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../environments";
import { planBackupBucket } from "./backup-bucket-plan";
import { ArgoCd } from "./components/argo-cd";
import { BackupBucket } from "./components/backup-bucket";
import { BackupCredentials } from "./components/backup-credentials";
import { BarmanCloudPlugin } from "./components/barman-cloud-plugin";
import { CdnRouting } from "./components/cdn-routing";
import { CertManager } from "./components/cert-manager";
import { CloudNativePg } from "./components/cloudnative-pg";
import { ManifestSecrets } from "./components/manifest-secrets";
import { MonitoringStack } from "./components/monitoring-stack";
import { Namespaces } from "./components/namespaces";
import { RedisOperator } from "./components/redis-operator";
import { RedpandaOperator } from "./components/redpanda-operator";
import { RepositoryCredentials } from "./components/repository-credentials";
import { RootApplication } from "./components/root-application";
import { operatorNamespaceNames, planNamespaces } from "./namespace-plan";
import { rootSyncPolicyFor } from "./root-sync-policy";
import { planManifestSecrets } from "./secret-plan";
import type { PlatformSettings } from "./settings";

/** How long Prometheus keeps samples; longer history belongs in long-term storage. */
const metricsRetentionDays = 15;

/** The operators, each installed from its pinned chart. */
export interface Operators {
  readonly certManager: CertManager;
  readonly cloudNativePg: CloudNativePg;
  readonly barmanCloudPlugin: BarmanCloudPlugin;
  readonly redpandaOperator: RedpandaOperator;
  readonly redisOperator: RedisOperator;
  readonly monitoring: MonitoringStack;
  readonly argoCd: ArgoCd;
}

/** Every component of the bootstrap, for stack outputs and tests. */
export interface Platform extends Operators {
  readonly namespaces: Namespaces;
  /** Present when the environment's object store is Amazon S3 (`backup-bucket-plan.ts`). */
  readonly backupBucket?: BackupBucket;
  readonly backupCredentials: BackupCredentials;
  /** Every other Secret the rendered manifests reference. */
  readonly manifestSecrets: ManifestSecrets;
  /** Present only when the stack has a `repoToken` (a private repository). */
  readonly repositoryCredentials?: RepositoryCredentials;
  /** Present when the environment has a CDN (`cdn-routing-plan.ts`). */
  readonly cdnRouting?: CdnRouting;
  readonly rootApplication: RootApplication;
}

/** Declares the whole bootstrap of `settings.environment`'s cluster. */
export function definePlatform(settings: PlatformSettings): Platform {
  const environment = settings.environment;
  const namespaces = new Namespaces("namespaces", { plans: planNamespaces(environment) });
  const afterNamespaces = { dependsOn: [namespaces] };
  const operators = installOperators(environment, namespaces);
  const backupPlan = planBackupBucket(environment);
  const backupBucket = backupPlan && new BackupBucket("backups", { plan: backupPlan });
  const backupCredentials = storeBackupCredentials(settings, afterNamespaces);
  const repositoryCredentials = storeRepositoryCredentials(settings, afterNamespaces);
  const manifestSecrets = new ManifestSecrets(
    "manifest-secrets",
    { secrets: planManifestSecrets(environment), values: settings.manifestSecretValues },
    afterNamespaces,
  );
  // Independent of the cluster: a CDN switch must apply even while the cluster is unhealthy.
  const cdnRouting =
    settings.cdn &&
    new CdnRouting("cdn", { plan: settings.cdn, region: environment.objectStore.region });
  const rootApplication = new RootApplication(
    "breakwater",
    {
      environmentName: environment.name,
      namespace: environment.namespaces.gitops.name,
      repoUrl: settings.repoUrl,
      revision: settings.revision,
      syncPolicy: rootSyncPolicyFor(environment.name),
    },
    {
      dependsOn: [
        ...Object.values(operators),
        // Databases start archiving WAL as soon as Argo CD creates them.
        ...(backupBucket ? [backupBucket] : []),
        backupCredentials,
        // Pods that Argo CD starts must find every Secret they reference.
        manifestSecrets,
        ...(repositoryCredentials ? [repositoryCredentials] : []),
      ],
    },
  );
  return {
    namespaces,
    ...operators,
    ...(backupBucket ? { backupBucket } : {}),
    backupCredentials,
    manifestSecrets,
    ...(repositoryCredentials ? { repositoryCredentials } : {}),
    ...(cdnRouting ? { cdnRouting } : {}),
    rootApplication,
  };
}

function installOperators(environment: Environment, namespaces: Namespaces): Operators {
  const afterNamespaces = { dependsOn: [namespaces] };
  // Operators run as many replicas as breakwater's own operator: 2+ where it must not stop.
  const replicas = environment.operator.replicas;
  const names = operatorNamespaceNames;
  const certManager = new CertManager(
    "cert-manager",
    { namespace: names.certManager, replicas },
    afterNamespaces,
  );
  const cloudNativePg = new CloudNativePg(
    "cloudnative-pg",
    { namespace: names.cloudNativePg, replicas },
    afterNamespaces,
  );
  const barmanCloudPlugin = new BarmanCloudPlugin(
    "barman-cloud-plugin",
    { namespace: names.cloudNativePg, replicas },
    { dependsOn: [namespaces, certManager, cloudNativePg] },
  );
  const redpandaOperator = new RedpandaOperator(
    "redpanda-operator",
    { namespace: names.redpanda, replicas },
    afterNamespaces,
  );
  const redisOperator = new RedisOperator(
    "redis-operator",
    { namespace: names.redis, replicas },
    afterNamespaces,
  );
  const monitoring = new MonitoringStack(
    "monitoring",
    {
      namespace: environment.namespaces.monitoring.name,
      replicas,
      retentionDays: metricsRetentionDays,
    },
    afterNamespaces,
  );
  const argoCd = new ArgoCd(
    "argo-cd",
    { namespace: environment.namespaces.gitops.name, replicas },
    afterNamespaces,
  );
  return {
    certManager,
    cloudNativePg,
    barmanCloudPlugin,
    redpandaOperator,
    redisOperator,
    monitoring,
    argoCd,
  };
}

function storeBackupCredentials(
  settings: PlatformSettings,
  afterNamespaces: pulumi.ComponentResourceOptions,
): BackupCredentials {
  const environment = settings.environment;
  const credentials = environment.objectStore.credentials;
  return new BackupCredentials(
    "backup-credentials",
    {
      namespace: environment.namespaces.data.name,
      secretName: credentials.secretName,
      accessKeyIdKey: credentials.accessKeyIdKey,
      secretAccessKeyKey: credentials.secretAccessKeyKey,
      accessKeyId: settings.objectStoreAccessKeyId,
      secretAccessKey: settings.objectStoreSecretAccessKey,
    },
    afterNamespaces,
  );
}

function storeRepositoryCredentials(
  settings: PlatformSettings,
  afterNamespaces: pulumi.ComponentResourceOptions,
): RepositoryCredentials | undefined {
  const repository = settings.repository;
  if (!repository) return undefined;
  return new RepositoryCredentials(
    "breakwater-repository",
    {
      namespace: settings.environment.namespaces.gitops.name,
      repoUrl: settings.repoUrl,
      username: repository.username,
      token: repository.token,
    },
    afterNamespaces,
  );
}
