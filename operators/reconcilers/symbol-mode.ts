/**
 * @module The SymbolMode reconciler: holds a symbol in a mode on every service that enforces
 * SymbolMode (none yet in the targets file: its status then says so, phase Failed).
 */
import type { Reconciler } from "../runtime/controller";
import {
  type StandingDependencies,
  type StandingKind,
  standingControlReconciler,
} from "./standing-control";

export const symbolModeKind: StandingKind = {
  kind: "SymbolMode",
  adminSpec: (spec) => ({ symbol: spec.symbol, mode: spec.mode }),
  services: () => [],
  describe: (spec) => `${String(spec.symbol)} ${String(spec.mode)}`,
};

export function symbolModeReconciler(deps: StandingDependencies): Reconciler {
  return standingControlReconciler(symbolModeKind, deps);
}
