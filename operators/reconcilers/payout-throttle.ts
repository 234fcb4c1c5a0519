/**
 * @module The PayoutThrottle reconciler: throttles payout creation on every target service in
 * scope (upsert `payoutthrottle.<namespace>.<name>` on its admin API), Enforced once every
 * live replica acknowledged it; deletion and expiry lift it.
 */
import { payoutThrottle } from "../crds/index";
import type { Reconciler } from "../runtime/controller";
import {
  type StandingDependencies,
  standingControlReconciler,
  standingKind,
} from "./standing-control";

export const payoutThrottleKind = standingKind(payoutThrottle, {
  services: (spec) => spec.scope?.services ?? [],
  describe(spec) {
    const currencies = spec.scope?.currencies?.length
      ? spec.scope.currencies.join(",")
      : "all currencies";
    return `payouts in ${currencies} at ${spec.rate}/${spec.per.toLowerCase()}`;
  },
});

export function payoutThrottleReconciler(deps: StandingDependencies): Reconciler {
  return standingControlReconciler(payoutThrottleKind, deps);
}
