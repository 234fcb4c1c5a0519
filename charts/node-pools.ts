/**
 * @module Which node pool a workload runs on: the pool whose `breakwater.dev/pool` label
 * matches, or anywhere when the environment has no such pool (dev has one pool for all).
 */
import type { Environment } from "../environments";

export const poolLabel = "breakwater.dev/pool";

/** A nodeSelector for the pool, or undefined when the environment has no dedicated pool. */
export function poolSelector(
  environment: Environment,
  pool: "data" | "apps",
): Record<string, string> | undefined {
  const dedicated = environment.cluster.nodePools.some(
    (nodePool) => nodePool.labels[poolLabel] === pool,
  );
  return dedicated ? { [poolLabel]: pool } : undefined;
}
