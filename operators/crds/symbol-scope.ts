/**
 * @module What a control on trading symbols targets (SymbolMode, OrderThrottle): one symbol,
 * or every symbol with `scope: Global` (the runbook's "if unknown scope"). One definition of
 * the fields, their rule and their targets, so the kinds that share them read alike.
 */
import { z } from "@hono/zod-openapi";
import type { ControlTarget } from "./kind";

/** A trading symbol, BASE-QUOTE. */
export const symbolField = z
  .string()
  .max(32)
  .regex(/^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$/);

/** `scope` and `symbol`: spread into a kind's fields, with {@link symbolScopeRule}. */
export const symbolScopeFields = {
  scope: z
    .enum(["Symbol", "Global"])
    .optional()
    .meta({
      description:
        "Symbol (the default): the symbol named in `symbol`. Global: every symbol, when the " +
        "affected symbols are not known; `symbol` must then be absent.",
    }),
  symbol: symbolField
    .optional()
    .meta({ description: "The symbol, BASE-QUOTE, e.g. BTC-USD (required unless Global)." }),
};

/** A symbol unless Global, never both. */
export const symbolScopeRule = {
  rule: "has(self.scope) && self.scope == 'Global' ? !has(self.symbol) : has(self.symbol)",
  message: "symbol is required, unless scope is Global, which takes no symbol",
};

/** A Global control touches every symbol, so it competes with each symbol's own controls. */
export function symbolScopeTargets(spec: {
  readonly scope?: "Symbol" | "Global";
  readonly symbol?: string;
}): ControlTarget[] {
  return [{ symbol: spec.scope === "Global" ? undefined : spec.symbol }];
}
