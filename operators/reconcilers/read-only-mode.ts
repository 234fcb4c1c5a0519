/**
 * @module The ReadOnlyMode reconciler: puts every service it names in read-only mode (upsert
 * `readonlymode.<namespace>.<name>` on its admin API), Enforced once every live replica
 * acknowledged it; deletion and expiry return them to writing.
 */
import { readOnlyMode } from "../crds/index";
import type { Reconciler } from "../runtime/controller";
import {
  type StandingDependencies,
  standingControlReconciler,
  standingKind,
} from "./standing-control";

export const readOnlyModeKind = standingKind(readOnlyMode, {
  services: (spec) => spec.services,
  describe: (spec) => `read-only: ${spec.services.join(",")}`,
});

export function readOnlyModeReconciler(deps: StandingDependencies): Reconciler {
  return standingControlReconciler(readOnlyModeKind, deps);
}
