/**
 * @module The Helm charts the platform installs, each pinned to one exact chart version whose
 * app version matches the CRDs vendored in `crds/` that our manifests are validated against.
 */

/** One Helm chart at one exact version, from one repository. */
export interface ChartPin {
  /** The chart's name inside its repository. */
  readonly chart: string;
  /** The Helm repository URL (`helm repo add` form). */
  readonly repository: string;
  /** The exact chart version: no ranges, no `latest`, so a sync never upgrades by surprise. */
  readonly version: string;
  /** The upstream release the chart ships, as its Chart.yaml `appVersion` says. */
  readonly appVersion: string;
}

/**
 * Every chart the bootstrap installs. Change a version only together with the CRDs in
 * `crds/` (and their entries in `crds/upstream-crds.ts`) and the table in `platform/README.md`.
 */
export const chartPins = {
  certManager: {
    chart: "cert-manager",
    repository: "https://charts.jetstack.io",
    version: "v1.21.1",
    appVersion: "v1.21.1",
  },
  cloudNativePg: {
    chart: "cloudnative-pg",
    repository: "https://cloudnative-pg.github.io/charts",
    version: "0.29.0",
    appVersion: "1.30.0",
  },
  barmanCloudPlugin: {
    chart: "plugin-barman-cloud",
    repository: "https://cloudnative-pg.github.io/charts",
    version: "0.7.1",
    appVersion: "v0.14.0",
  },
  redpandaOperator: {
    chart: "operator",
    repository: "https://charts.redpanda.com",
    version: "26.2.2",
    appVersion: "v26.2.2",
  },
  redisOperator: {
    chart: "redis-operator",
    repository: "https://ot-container-kit.github.io/helm-charts",
    version: "0.26.0",
    // The chart's Chart.yaml says `0.26.0`; it runs the `v0.26.0` image (`v` + appVersion).
    appVersion: "0.26.0",
  },
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "88.2.0",
    appVersion: "v0.93.0",
  },
  argoCd: {
    chart: "argo-cd",
    repository: "https://argoproj.github.io/argo-helm",
    version: "10.4.0",
    appVersion: "v3.5.1",
  },
} as const satisfies Record<string, ChartPin>;

export type ChartName = keyof typeof chartPins;

/** `1.2.3` or `v1.2.3`, optionally with a pre-release; anything else is a range or a tag. */
const exactVersionPattern =
  /^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$/;

/** Whether `version` names exactly one release (so `^1.2.0`, `1.x` and `>=1` are rejected). */
export function isExactVersion(version: string): boolean {
  return exactVersionPattern.test(version);
}
