/**
 * @module What a manifest check sees and reports: the rendered objects of one environment,
 * and one problem per offending object, naming its file.
 */
import type { EnvironmentName } from "../../environments";

/** A rendered Kubernetes object and where it is written. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

export interface CheckedManifest {
  /** Relative to `rendered/`, e.g. `prod/postgres/cluster-data-plane-payments-db.yaml`. */
  readonly path: string;
  readonly object: ManifestObject;
}

export interface CheckProblem {
  readonly check: string;
  readonly path: string;
  readonly message: string;
}

export interface ManifestCheck {
  /** Short kebab-case name, printed before each problem. */
  readonly name: string;
  /** Environments the check applies to; all when absent. */
  readonly environments?: readonly EnvironmentName[];
  readonly run: (manifests: readonly CheckedManifest[]) => CheckProblem[];
}

/** `prod/postgres/x.yaml: pitr: Cluster payments-db has no WAL archiver` */
export function formatProblem(problem: CheckProblem): string {
  return `${problem.path}: ${problem.check}: ${problem.message}`;
}
