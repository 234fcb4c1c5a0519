/** @module The SymbolMode kind: put a trading symbol in CANCEL_ONLY, SOFT_HALT or HARD_HALT. */
import { type ControlKindDefinition, printerColumns } from "./common";
import { enumeration, string } from "./schema";

export const symbolModes = ["NORMAL", "CANCEL_ONLY", "SOFT_HALT", "HARD_HALT"] as const;

export const symbolMode: ControlKindDefinition = {
  kind: "SymbolMode",
  plural: "symbolmodes",
  singular: "symbolmode",
  shortNames: ["sm"],
  description:
    "Sets a trading symbol's mode while it exists. CANCEL_ONLY rejects new orders and " +
    "accepts cancels; SOFT_HALT also stops matching; HARD_HALT rejects every order-entry and " +
    "cancel request and freezes the book. When several SymbolModes touch a symbol the most " +
    "restrictive wins. Delete it to return to NORMAL.",
  oneShot: false,
  specFields: {
    symbol: string("The symbol, BASE-QUOTE, e.g. BTC-USD.", {
      maxLength: 32,
      pattern: "^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$",
    }),
    mode: enumeration("The mode to hold the symbol in.", symbolModes),
  },
  specRequired: ["symbol", "mode"],
  columns: printerColumns(".spec.symbol", [
    { name: "Mode", type: "string", jsonPath: ".spec.mode", description: "The mode." },
  ]),
};
