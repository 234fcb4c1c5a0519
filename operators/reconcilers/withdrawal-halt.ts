/**
 * @module The WithdrawalHalt reconciler: halts payouts on every target service in scope
 * (upsert `withdrawalhalt.<namespace>.<name>` on its admin API), Enforced once every live
 * replica acknowledged it; deletion and expiry lift it; dryRun reports what would be halted.
 */
import type { Reconciler } from "../runtime/controller";
import {
  type StandingDependencies,
  type StandingKind,
  standingControlReconciler,
} from "./standing-control";

interface Scope {
  services?: string[];
  currencies?: string[];
}

export const withdrawalHaltKind: StandingKind = {
  kind: "WithdrawalHalt",
  adminSpec(spec) {
    const scope = (spec.scope ?? {}) as Scope;
    return { scope: { services: scope.services ?? [], currencies: scope.currencies ?? [] } };
  },
  services: (spec) => ((spec.scope ?? {}) as Scope).services ?? [],
  describe(spec) {
    const scope = (spec.scope ?? {}) as Scope;
    const currencies = scope.currencies?.length ? scope.currencies.join(",") : "all currencies";
    const services = scope.services?.length ? scope.services.join(",") : "all services";
    return `payouts in ${currencies} on ${services}`;
  },
};

export function withdrawalHaltReconciler(deps: StandingDependencies): Reconciler {
  return standingControlReconciler(withdrawalHaltKind, deps);
}
