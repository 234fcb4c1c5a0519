/**
 * @module The point-in-time restore of one PostgreSQL cluster, rendered for the on-call
 * engineer to review and apply: a NEW Cluster bootstrapped from the old one's base backup and
 * WAL (through the barman-cloud plugin) up to `targetTime`, archiving under a new serverName
 * so the history it was restored from is never overwritten.
 */
import { App, Chart } from "cdk8s";
import { databaseNames, type Environment } from "../environments";
import { keepOnPrune } from "./argo";
import { clusterSpec, databaseMetadata, walArchiver } from "./constructs/postgres-cluster";
import {
  barmanCloudPlugin,
  databaseClusterName,
  objectStoreName,
  secretNames,
} from "./conventions";
import { Cluster } from "./imports/cnpg-cluster-postgresql.cnpg.io";
import type { KubeObject } from "./render";
import { retentionDays } from "./retention";

/** A wrong restore request; the message is one line naming the option. */
export class RestoreError extends Error {
  override readonly name = "RestoreError";
}

export interface RestoreRequest {
  readonly environment: Environment;
  /** The Cluster to restore, e.g. `payments-db`. */
  readonly cluster: string;
  /** RFC 3339, e.g. `2026-11-22T10:30:00Z`. */
  readonly targetTime: string;
  /** The current time; the target must not be after it. @default new Date() */
  readonly now?: Date;
}

const rfc3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Parses a strict RFC 3339 time; `2026-02-30T…` and times without an offset are refused. */
export function parseRfc3339(text: string): Date {
  const match = rfc3339.exec(text);
  const refuse = () =>
    new RestoreError(
      `--to: expected an RFC 3339 time with an offset, like 2026-11-22T10:30:00Z, found "${text}"`,
    );
  if (!match) throw refuse();
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  const calendar = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  const valid =
    calendar.getUTCMonth() === month! - 1 &&
    calendar.getUTCDate() === day &&
    hour! < 24 &&
    minute! < 60 &&
    second! < 60 &&
    (match[9] === undefined || (Number(match[9]) < 24 && Number(match[10]) < 60));
  const time = new Date(text);
  if (!valid || Number.isNaN(time.getTime())) throw refuse();
  return time;
}

function findDomain(environment: Environment, cluster: string) {
  const domains = databaseNames.filter(
    (domain) => environment.postgres[domain].enabled && environment.postgres[domain].backup.pitr,
  );
  const domain = domains.find((candidate) => databaseClusterName(candidate) === cluster);
  if (!domain) {
    const known = domains.map(databaseClusterName).join(", ") || "none";
    throw new RestoreError(
      `--restore: no PostgreSQL cluster with PITR named "${cluster}" in ${environment.name} (known: ${known})`,
    );
  }
  return domain;
}

/** `payments-db-pitr-20261122t103000z`: one name per target, so a retry renders the same. */
export function recoveryClusterName(cluster: string, targetTime: Date): string {
  const stamp = targetTime
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(/[-:]/g, "")
    .toLowerCase();
  return `${cluster}-pitr-${stamp}`;
}

function checkWindow(request: RestoreRequest, time: Date, retention: string): void {
  const now = request.now ?? new Date();
  if (time.getTime() > now.getTime()) {
    throw new RestoreError(
      `--to: ${request.targetTime} is in the future (now ${now.toISOString()}); no WAL exists for it yet`,
    );
  }
  const oldest = new Date(now.getTime() - retentionDays(retention) * 24 * 60 * 60 * 1000);
  if (time.getTime() < oldest.getTime()) {
    throw new RestoreError(
      `--to: ${request.targetTime} is older than the ${retention} retention of ${request.cluster} (oldest ${oldest.toISOString()})`,
    );
  }
}

/** The recovery Cluster for one request. @throws RestoreError naming the option at fault. */
export function recoveryCluster(request: RestoreRequest): KubeObject {
  const { environment } = request;
  const domain = findDomain(environment, request.cluster);
  const time = parseRfc3339(request.targetTime);
  checkWindow(request, time, environment.postgres[domain].backup.retention);
  const name = recoveryClusterName(request.cluster, time);
  return recoveredFrom(environment, request.cluster, name, {
    annotations: { "breakwater.dev/recovery-target-time": request.targetTime },
    recoveryTarget: { targetTime: request.targetTime },
    // Same object store, new folder: the restored cluster starts its own WAL history.
    plugins: [{ ...walArchiver(request.cluster, name) }],
  });
}

/**
 * The weekly rehearsal's copy of `cluster` (`<cluster>-rehearsal`): recovered to the end of its
 * archived WAL, archiving nothing (a rehearsal copy never writes backups), deleted after the
 * checks by the rehearsal itself. @throws RestoreError when `cluster` has no PITR.
 */
export function rehearsalCluster(environment: Environment, cluster: string): KubeObject {
  findDomain(environment, cluster);
  return recoveredFrom(environment, cluster, `${cluster}-rehearsal`, {
    annotations: {},
    labels: { "breakwater.dev/restore-rehearsal": "true" },
  });
}

interface RecoveryParts {
  readonly annotations: Record<string, string>;
  readonly labels?: Record<string, string>;
  /** Undefined: replay every archived WAL segment. */
  readonly recoveryTarget?: { targetTime: string };
  readonly plugins?: { name: string; isWalArchiver: boolean; parameters: Record<string, string> }[];
}

function recoveredFrom(
  environment: Environment,
  cluster: string,
  name: string,
  parts: RecoveryParts,
): KubeObject {
  const domain = findDomain(environment, cluster);
  const origin = "origin";
  const chart = new Chart(new App(), "restore", { disableResourceNameHashes: true });
  const metadata = databaseMetadata(environment, name);
  const recovered = new Cluster(chart, "cluster", {
    metadata: {
      ...metadata,
      labels: { ...metadata.labels, ...parts.labels, "breakwater.dev/restored-from": cluster },
      annotations: parts.annotations,
    },
    spec: {
      ...clusterSpec(environment, domain),
      bootstrap: {
        recovery: {
          source: origin,
          database: domain,
          owner: domain,
          secret: { name: secretNames.databaseOwner(domain) },
          ...(parts.recoveryTarget ? { recoveryTarget: parts.recoveryTarget } : {}),
        },
      },
      externalClusters: [
        {
          name: origin,
          plugin: {
            name: barmanCloudPlugin,
            parameters: {
              barmanObjectName: objectStoreName(cluster),
              serverName: cluster,
            },
          },
        },
      ],
      ...(parts.plugins ? { plugins: parts.plugins } : {}),
    },
  });
  keepOnPrune(recovered);
  return chart.toJson()[0] as KubeObject;
}
