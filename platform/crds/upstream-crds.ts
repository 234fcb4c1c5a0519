/**
 * @module Where each third-party CRD in `platform/crds/` came from: the chart of `charts.ts`
 * that installs it, the upstream release and file, and the file's git blob hash, so a test can
 * hold the vendored files, the pinned charts and upstream to one another.
 */
import { join } from "node:path";
import type { chartPins } from "../charts";

/** One vendored CRD file and its origin. */
export interface UpstreamCrd {
  /** The file in `platform/crds/`, named `<group>_<plural>.yaml`. */
  readonly file: string;
  /** The chart pin (`charts.ts`) whose operator serves this CRD. */
  readonly chart: keyof typeof chartPins;
  /** The chart version the CRD was taken for; must equal the pin's `version`. */
  readonly chartVersion: string;
  /** The upstream git repository (`owner/name` on GitHub). */
  readonly repository: string;
  /** The file's path in that repository. */
  readonly path: string;
  /** The upstream release tag; names the same release as the pin's `appVersion`. */
  readonly release: string;
  /** The commit the file was taken from. */
  readonly commit: string;
  /** `git hash-object` of the file: equal to the upstream blob, so any local edit shows. */
  readonly blob: string;
  /** Set only when the file is not exactly the release's: what differs, and why. */
  readonly deviation?: string;
}

/** The folder holding the vendored files; `kubectl apply --server-side -f` installs them all. */
export const upstreamCrdDirectory = import.meta.dirname;

/** The absolute path of one vendored CRD file, e.g. `upstreamCrdPath("argoproj.io_applications.yaml")`. */
export function upstreamCrdPath(file: string): string {
  return join(upstreamCrdDirectory, file);
}

const cnpg = {
  chart: "cloudNativePg",
  chartVersion: "0.29.0",
  repository: "cloudnative-pg/cloudnative-pg",
  release: "v1.30.0",
  commit: "4b5e244a7d031f67e025c83c1555e7726ecbbfa1",
} as const;

const prometheusOperator = {
  chart: "kubePrometheusStack",
  chartVersion: "88.2.0",
  repository: "prometheus-operator/prometheus-operator",
  release: "v0.93.0",
  commit: "f8fafd475f3d132e239432ae6172de60a6cb6516",
} as const;

const argoCd = {
  chart: "argoCd",
  chartVersion: "10.4.0",
  repository: "argoproj/argo-cd",
  release: "v3.5.1",
  commit: "109ca7ca71139e514114499d294a492e7910a965",
} as const;

const redisOperator = {
  chart: "redisOperator",
  chartVersion: "0.26.0",
  repository: "OT-CONTAINER-KIT/redis-operator",
  release: "v0.26.0",
  commit: "ef33adb71ce1bffb0ab1fce593625c320dc6164e",
} as const;

const redpandaOperator = {
  chart: "redpandaOperator",
  chartVersion: "26.2.2",
  repository: "redpanda-data/redpanda-operator",
  release: "operator/v26.2.2",
} as const;

/** Every vendored CRD, one entry per file. */
export const upstreamCrds: readonly UpstreamCrd[] = [
  ...(
    [
      ["postgresql.cnpg.io_clusters.yaml", "a65a1f0e93d46f092440ac42d1516a40822ca640"],
      ["postgresql.cnpg.io_backups.yaml", "ffe59ea881c254ad64c0a9539ea40a43aab5852a"],
      ["postgresql.cnpg.io_scheduledbackups.yaml", "8447e78fca3768de9caa03d717251da230513fcb"],
      ["postgresql.cnpg.io_poolers.yaml", "76df8b6022738f00c46839f0d896d7f0e0ddd60a"],
    ] as const
  ).map(([file, blob]) => ({ ...cnpg, file, path: `config/crd/bases/${file}`, blob })),
  {
    file: "barmancloud.cnpg.io_objectstores.yaml",
    chart: "barmanCloudPlugin",
    chartVersion: "0.7.1",
    repository: "cloudnative-pg/plugin-barman-cloud",
    path: "config/crd/bases/barmancloud.cnpg.io_objectstores.yaml",
    release: "v0.14.0",
    commit: "1e13020fe5f09fd8fc29ea03828f7b61375b3721",
    blob: "c5cf971100b12432ff74bd9025499dbfcb8f3e71",
  },
  {
    ...redpandaOperator,
    file: "cluster.redpanda.com_redpandas.yaml",
    path: "operator/config/crd/bases/cluster.redpanda.com_redpandas.yaml",
    commit: "cce61854c8606b158911363802758bb5acb64b60",
    blob: "46b6a22de64b56a9097e21bfb2aaa0acc995e572",
    deviation:
      "taken from main at cce61854 (2026-01-23, an ancestor of operator/v26.2.2) because the " +
      "release's copy was not available: its v1alpha2 clusterSpec lacks console.gateway, " +
      "console.monitoring, external.gateway, type/host/hostTemplate on external listeners, " +
      "statefulset.persistentVolumeClaimRetentionPolicy, tuning.apply_host_tuners and the SCRAM " +
      "mechanism enums; the top-level Redpanda fields are the release's",
  },
  {
    ...redpandaOperator,
    file: "cluster.redpanda.com_topics.yaml",
    path: "operator/config/crd/bases/cluster.redpanda.com_topics.yaml",
    commit: "ca64ba0150627c302bb3957dbe2c319b515be9a1",
    blob: "e83e99bcc3f00c3f5d043a8022dbe66ff3b855f0",
  },
  ...(
    [
      ["monitoring.coreos.com_prometheusrules.yaml", "b423c3225b18489ca7bbc5091f38f7003c4bf3fc"],
      ["monitoring.coreos.com_servicemonitors.yaml", "f5736255990a0e152851fadb55f84d6fd0f91d87"],
      ["monitoring.coreos.com_podmonitors.yaml", "5c1bde3d4a5f3131fd6c148ab933193b867173f2"],
      [
        "monitoring.coreos.com_alertmanagerconfigs.yaml",
        "52a56f35b6810f1686810d10da28940843a5aa9a",
      ],
    ] as const
  ).map(([file, blob]) => ({
    ...prometheusOperator,
    file,
    path: `example/prometheus-operator-crd/${file}`,
    blob,
  })),
  ...(
    [
      [
        "argoproj.io_applications.yaml",
        "application-crd.yaml",
        "d654fa27c6baa8907e7c51f060d82cd1247925d6",
      ],
      [
        "argoproj.io_applicationsets.yaml",
        "applicationset-crd.yaml",
        "9fda8266b0500e96b8b55b1ab5fa25ae90309b43",
      ],
      [
        "argoproj.io_appprojects.yaml",
        "appproject-crd.yaml",
        "1cea1a4d5c90608643d513a30a51b3471a425755",
      ],
    ] as const
  ).map(([file, upstreamName, blob]) => ({
    ...argoCd,
    file,
    path: `manifests/crds/${upstreamName}`,
    blob,
  })),
  ...(
    [
      [
        "redis.redis.opstreelabs.in_redisreplications.yaml",
        "57c55d2ced7ff34cc25f9ae4c20002446a5d1fbd",
      ],
      [
        "redis.redis.opstreelabs.in_redissentinels.yaml",
        "7e6eeb839ed8e0af409fcb4a0571184aae10cc93",
      ],
    ] as const
  ).map(([file, blob]) => ({ ...redisOperator, file, path: `config/crd/bases/${file}`, blob })),
];

/** `v1.2.3`, `operator/v1.2.3` and `1.2.3` name the same release. */
function releaseOf(tag: string): string {
  return tag.replace(/^.*\//, "").replace(/^v/, "");
}

/**
 * What disagrees between the vendored CRDs and the pinned charts: one line per CRD whose
 * chart version is not the pin's, or whose upstream release is not the pin's app version.
 */
export function pinMismatches(
  crds: readonly UpstreamCrd[],
  pins: Record<string, { readonly version: string; readonly appVersion: string }>,
): string[] {
  const problems: string[] = [];
  for (const crd of crds) {
    const pin = pins[crd.chart];
    if (pin === undefined) {
      problems.push(`${crd.file}: no chart pin named ${crd.chart} in platform/charts.ts`);
      continue;
    }
    if (crd.chartVersion !== pin.version) {
      problems.push(
        `${crd.file}: vendored for ${crd.chart} chart ${crd.chartVersion}, but charts.ts pins ${pin.version}`,
      );
    }
    if (releaseOf(crd.release) !== releaseOf(pin.appVersion)) {
      problems.push(
        `${crd.file}: taken from ${crd.release}, but ${crd.chart} ${pin.version} ships ${pin.appVersion}`,
      );
    }
  }
  return problems;
}
