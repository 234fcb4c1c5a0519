/**
 * @module The ProviderDisable reconciler: disables a provider on every service that enforces
 * ProviderDisable (purchasing, in the targets file).
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
