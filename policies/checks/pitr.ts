/**
 * @module Check (prod): every PostgreSQL cluster can be restored to any point in time — its
 * WAL goes to a barman-cloud `ObjectStore` that has a retention policy, and a
 * `ScheduledBackup` takes base backups through the plugin.
 */
import { dig } from "./containers";
import type { CheckedManifest, CheckProblem, ManifestCheck, ManifestObject } from "./types";

export const barmanCloudPlugin = "barman-cloud.cloudnative-pg.io";

function isKind(object: ManifestObject, group: string, kind: string): boolean {
  return object.kind === kind && object.apiVersion.startsWith(`${group}/`);
}

/** What is missing for one cluster, each a sentence fragment. */
function missingForCluster(
  cluster: ManifestObject,
  manifests: readonly CheckedManifest[],
): string[] {
  const namespace = cluster.metadata.namespace;
  const sameNamespace = manifests.filter((m) => m.object.metadata.namespace === namespace);
  const plugins = dig(cluster, "spec", "plugins");
  const archiver = (Array.isArray(plugins) ? (plugins as unknown[]) : []).find(
    (plugin) =>
      dig(plugin, "name") === barmanCloudPlugin &&
      dig(plugin, "isWALArchiver") === true &&
      dig(plugin, "enabled") !== false,
  );
  const missing: string[] = [];
  if (!archiver) {
    missing.push(`no ${barmanCloudPlugin} plugin with isWALArchiver: true`);
  } else {
    const storeName = dig(archiver, "parameters", "barmanObjectName");
    const store = sameNamespace.find(
      (m) =>
        isKind(m.object, "barmancloud.cnpg.io", "ObjectStore") &&
        m.object.metadata.name === storeName,
    );
    if (!store)
      missing.push(
        `its WAL archiver names ObjectStore ${String(storeName)}, which is not rendered`,
      );
    else if (!dig(store.object, "spec", "retentionPolicy")) {
      missing.push(`ObjectStore ${String(storeName)} has no retentionPolicy`);
    }
  }
  const backup = sameNamespace.find(
    ({ object }) =>
      isKind(object, "postgresql.cnpg.io", "ScheduledBackup") &&
      dig(object, "spec", "cluster", "name") === cluster.metadata.name &&
      dig(object, "spec", "method") === "plugin" &&
      dig(object, "spec", "pluginConfiguration", "name") === barmanCloudPlugin &&
      dig(object, "spec", "suspend") !== true,
  );
  if (!backup) missing.push("no active ScheduledBackup with method: plugin through barman-cloud");
  return missing;
}

export const pointInTimeRecovery: ManifestCheck = {
  name: "pitr",
  environments: ["prod"],
  run(manifests) {
    const problems: CheckProblem[] = [];
    for (const { path, object } of manifests) {
      if (!isKind(object, "postgresql.cnpg.io", "Cluster")) continue;
      const missing = missingForCluster(object, manifests);
      if (missing.length > 0) {
        problems.push({
          check: this.name,
          path,
          message: `Cluster ${object.metadata.name} has no point-in-time recovery: ${missing.join("; ")}`,
        });
      }
    }
    return problems;
  },
};
