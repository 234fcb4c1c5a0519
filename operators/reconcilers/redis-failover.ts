/**
 * @module The RedisFailover reconciler: moves every service it names to its secondary Redis
 * (upsert `redisfailover.<namespace>.<name>` on its admin API). A replica counts as
 * acknowledging only once its heartbeat says it uses the secondary, and `status.replicas` lists
 * each live replica with the Redis it uses. A service without REDIS_SECONDARY refuses it
 * (Failed, reason PreconditionFailed); deletion and expiry move them back to the primary.
 */
import { redisFailover } from "../crds/index";
import type { Reconciler } from "../runtime/controller";
import {
  type StandingDependencies,
  standingControlReconciler,
  standingKind,
} from "./standing-control";

export const redisFailoverKind = standingKind(redisFailover, {
  services: (spec) => spec.services,
  describe: (spec) => `secondary Redis: ${spec.services.join(",")}`,
  acknowledges: (replica) => replica.redis === "secondary",
  replicaStatus: (replicas) => ({
    replicas: replicas.slice(0, 256).map(({ service, replica }) => ({
      service,
      id: replica.id,
      version: replica.version,
      ...(replica.redis ? { redis: replica.redis } : {}),
    })),
  }),
});

export function redisFailoverReconciler(deps: StandingDependencies): Reconciler {
  return standingControlReconciler(redisFailoverKind, deps);
}
