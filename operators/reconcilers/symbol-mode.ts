/**
 * @module The SymbolMode reconciler: holds a symbol (or every symbol) in a mode on every
 * service that enforces SymbolMode (the exchange, in the targets file).
 */
import { symbolMode } from "../crds/index";
import type { Reconciler } from "../runtime/controller";
import {
  type StandingDependencies,
  standingControlReconciler,
  standingKind,
} from "./standing-control";

export const symbolModeKind = standingKind(symbolMode, {
  services: () => [],
  describe: (spec) => `${spec.scope === "Global" ? "every symbol" : spec.symbol} ${spec.mode}`,
});

export function symbolModeReconciler(deps: StandingDependencies): Reconciler {
  return standingControlReconciler(symbolModeKind, deps);
}
