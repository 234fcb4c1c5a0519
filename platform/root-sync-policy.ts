/**
 * @module How the root Argo CD application syncs in each environment: everywhere it follows
 * git on its own and undoes hand edits, but only dev and staging delete what git no longer
 * has; in prod a removed file waits for a person to run a pruning sync, so a bad commit can
 * never delete a database or a topic.
 */
import type { EnvironmentName } from "../environments";

export interface RootSyncPolicy {
  /** Delete live objects whose manifests left git. */
  readonly prune: boolean;
  /** Revert changes made in the cluster by hand. */
  readonly selfHeal: boolean;
  /** Sync attempts before Argo CD gives up and reports the failure. */
  readonly retryLimit: number;
}

const policies: Record<EnvironmentName, RootSyncPolicy> = {
  dev: { prune: true, selfHeal: true, retryLimit: 5 },
  staging: { prune: true, selfHeal: true, retryLimit: 5 },
  prod: { prune: false, selfHeal: true, retryLimit: 10 },
};

/** The sync policy of the root application of `environment`. */
export function rootSyncPolicyFor(environment: EnvironmentName): RootSyncPolicy {
  return policies[environment];
}
