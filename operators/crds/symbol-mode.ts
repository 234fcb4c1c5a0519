/**
 * @module The SymbolMode kind: put a trading symbol, or every symbol (`scope: Global`, the
 * runbook's "global SOFT_HALT if unknown scope"), in CANCEL_ONLY, SOFT_HALT or HARD_HALT.
 */
import { z } from "@hono/zod-openapi";
import { printerColumns } from "./common";
import { defineControlKind } from "./kind";
import { symbolScopeFields, symbolScopeRule, symbolScopeTargets } from "./symbol-scope";

/** The modes, least restrictive first: the index is the rank. */
export const symbolModes = ["NORMAL", "CANCEL_ONLY", "SOFT_HALT", "HARD_HALT"] as const;
export type SymbolModeValue = (typeof symbolModes)[number];

export const symbolMode = defineControlKind({
  kind: "SymbolMode",
  plural: "symbolmodes",
  singular: "symbolmode",
  shortNames: ["sm"],
  description:
    "Sets a trading symbol's mode while it exists. CANCEL_ONLY rejects new orders and " +
    "accepts cancels; SOFT_HALT also stops matching; HARD_HALT rejects every order-entry and " +
    "cancel request and freezes the book. When several SymbolModes touch a symbol the most " +
    "restrictive wins, whether it names the symbol or is Global. Delete it to return to NORMAL.",
  oneShot: false,
  fields: {
    ...symbolScopeFields,
    mode: z.enum(symbolModes).meta({ description: "The mode to hold the symbol in." }),
  },
  specRules: [symbolScopeRule],
  columns: printerColumns(".spec.symbol", [
    { name: "Scope", type: "string", jsonPath: ".spec.scope", description: "Symbol or Global." },
    { name: "Mode", type: "string", jsonPath: ".spec.mode", description: "The mode." },
  ]),
  targets: symbolScopeTargets,
  rank: (spec) => symbolModes.indexOf(spec.mode),
  defaultPublicMessage: (spec) => {
    const market = spec.scope === "Global" ? "every market" : spec.symbol;
    return spec.mode === "NORMAL"
      ? `Trading in ${market} is open.`
      : `Trading in ${market} is limited (${spec.mode === "CANCEL_ONLY" ? "cancels only" : "halted"}) while we investigate.`;
  },
});
