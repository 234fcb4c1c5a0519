/**
 * @module The EdgeDegradation reconciler: degrades market data on every exchange edge (upsert
 * `edgedegradation.<namespace>.<name>` on its admin API), Enforced once every live replica
 * acknowledged it; deletion and expiry lift it.
 */
import { edgeDegradation } from "../crds/index";
import type { Reconciler } from "../runtime/controller";
import {
  type StandingDependencies,
  standingControlReconciler,
  standingKind,
} from "./standing-control";

export const edgeDegradationKind = standingKind(edgeDegradation, {
  services: () => [],
  describe: (spec) =>
    `depth ${spec.bookDepth}, conflation ${spec.conflationMs} ms, ${spec.subscriptionsPerSecond} subs/s`,
});

export function edgeDegradationReconciler(deps: StandingDependencies): Reconciler {
  return standingControlReconciler(edgeDegradationKind, deps);
}
