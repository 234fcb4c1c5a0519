/**
 * @module The ProviderDisable reconciler: disables a provider on every service that enforces
 * ProviderDisable (none yet in the targets file: its status then says so, phase Failed).
 */
import type { Reconciler } from "../runtime/controller";
import {
  type StandingDependencies,
  type StandingKind,
  standingControlReconciler,
} from "./standing-control";

export const providerDisableKind: StandingKind = {
  kind: "ProviderDisable",
  adminSpec: (spec) => ({ provider: spec.provider }),
  services: () => [],
  describe: (spec) => `provider ${String(spec.provider)}`,
};

export function providerDisableReconciler(deps: StandingDependencies): Reconciler {
  return standingControlReconciler(providerDisableKind, deps);
}
