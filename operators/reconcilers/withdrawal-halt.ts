/**
 * @module The WithdrawalHalt reconciler: halts payouts on every target service in scope
 * (upsert `withdrawalhalt.<namespace>.<name>` on its admin API), Enforced once every live
 * replica acknowledged it; deletion and expiry lift it; dryRun reports what would be halted.
 */
import { withdrawalHalt } from "../crds/index";
import type { Reconciler } from "../runtime/controller";
import {
  type StandingDependencies,
  standingControlReconciler,
  standingKind,
} from "./standing-control";

export const withdrawalHaltKind = standingKind(withdrawalHalt, {
  services: (spec) => spec.scope?.services ?? [],
  describe(spec) {
    const currencies = spec.scope?.currencies?.length
      ? spec.scope.currencies.join(",")
      : "all currencies";
    const services = spec.scope?.services?.length ? spec.scope.services.join(",") : "all services";
    return `payouts in ${currencies} on ${services}`;
  },
});

export function withdrawalHaltReconciler(deps: StandingDependencies): Reconciler {
  return standingControlReconciler(withdrawalHaltKind, deps);
}
