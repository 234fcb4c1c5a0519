/**
 * @module The SessionRevocation reconciler: tells every service it names to refuse the revoked
 * tokens (upsert `sessionrevocation.<namespace>.<name>` on its admin API), Enforced once every
 * live replica acknowledged it; deletion and expiry let the tokens through again.
 */
import { sessionRevocation } from "../crds/index";
import type { Reconciler } from "../runtime/controller";
import {
  type StandingDependencies,
  standingControlReconciler,
  standingKind,
} from "./standing-control";

export const sessionRevocationKind = standingKind(sessionRevocation, {
  services: (spec) => spec.services,
  describe: (spec) =>
    `sessions before ${spec.issuedBefore}${spec.subjects?.length ? ` of ${spec.subjects.join(",")}` : ""}: ${spec.services.join(",")}`,
});

export function sessionRevocationReconciler(deps: StandingDependencies): Reconciler {
  return standingControlReconciler(sessionRevocationKind, deps);
}
