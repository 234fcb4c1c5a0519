/**
 * @module The control of a symbol kind (SymbolMode, OrderThrottle) in force on one symbol,
 * from the replica's in-memory controls: of those whose targets cover the symbol (named, or
 * Global), the one the kind ranks highest, then the newest, as the operator's status says.
 */
import type { z } from "zod";
import { targetCovers } from "../../operators/crds/in-force";
import type { ControlTarget } from "../../operators/crds/kind";
import { rankOf, specOf } from "../kit/control-kinds";
import type { Controls } from "../kit/controls";
import type { Control } from "../kit/controls-store";

export function inForceOnSymbol<S extends z.ZodType>(
  controls: Controls,
  definition: {
    readonly kind: string;
    readonly spec: S;
    targets(spec: z.infer<S>): readonly ControlTarget[];
    rank(spec: z.infer<S>): number;
  },
  symbol: string,
): Control | undefined {
  return controls.findBlocking(
    definition.kind,
    (control) =>
      definition
        .targets(specOf(definition.spec, control))
        .some((target) => targetCovers(target, { symbol })),
    rankOf(definition),
  );
}
