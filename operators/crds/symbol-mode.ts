/** @module The SymbolMode kind: put a trading symbol in CANCEL_ONLY, SOFT_HALT or HARD_HALT. */
import { z } from "@hono/zod-openapi";
import { printerColumns } from "./common";
import { defineControlKind } from "./kind";

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
    "restrictive wins; symbol `*` (the global scope) holds every symbol in the mode, as " +
    "seed 002 asks for when an incident's scope is unknown. Delete it to return to NORMAL.",
  oneShot: false,
  fields: {
    symbol: z
      .string()
      .max(32)
      .regex(/^([A-Z0-9]{2,12}-[A-Z0-9]{2,12}|\*)$/)
      .meta({ description: "The symbol, BASE-QUOTE, e.g. BTC-USD; * for every symbol." }),
    mode: z.enum(symbolModes).meta({ description: "The mode to hold the symbol in." }),
  },
  columns: printerColumns(".spec.symbol", [
    { name: "Mode", type: "string", jsonPath: ".spec.mode", description: "The mode." },
  ]),
  targets: (spec) => [{ symbol: spec.symbol }],
  rank: (spec) => symbolModes.indexOf(spec.mode),
});
