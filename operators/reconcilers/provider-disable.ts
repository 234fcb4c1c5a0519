/**
 * @module The ProviderDisable reconciler: disables a provider on every service that enforces
 * ProviderDisable (none yet in the targets file: its status then says so, phase Failed).
 */
import { providerDisable } from "../crds/index";
import type { Reconciler } from "../runtime/controller";
import {
  type StandingDependencies,
  standingControlReconciler,
  standingKind,
} from "./standing-control";

export const providerDisableKind = standingKind(providerDisable, {
  services: () => [],
  describe: (spec) => `provider ${spec.provider}`,
});

export function providerDisableReconciler(deps: StandingDependencies): Reconciler {
  return standingControlReconciler(providerDisableKind, deps);
}
