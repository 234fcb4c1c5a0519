/**
 * @module The OrderThrottle reconciler: throttles new orders on a symbol (or every symbol) on every service that
 * enforces OrderThrottle (the exchange), Enforced once every live replica acknowledged it;
 * deletion and expiry lift it.
 */
import { orderThrottle } from "../crds/index";
import type { Reconciler } from "../runtime/controller";
import {
  type StandingDependencies,
  standingControlReconciler,
  standingKind,
} from "./standing-control";

export const orderThrottleKind = standingKind(orderThrottle, {
  services: () => [],
  describe: (spec) =>
    `${spec.scope === "Global" ? "every symbol" : spec.symbol} at ${spec.rate}/${spec.per.toLowerCase()}`,
});

export function orderThrottleReconciler(deps: StandingDependencies): Reconciler {
  return standingControlReconciler(orderThrottleKind, deps);
}
