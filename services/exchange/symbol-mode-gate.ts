/**
 * @module SymbolMode enforcement from the replica's in-memory controls, as DESIGN.md defines
 * the modes: CANCEL_ONLY rejects new orders and accepts cancels; SOFT_HALT stops matching,
 * rejects new orders and accepts cancels; HARD_HALT rejects order entry and cancels and
 * freezes the book. Of several SymbolModes covering a symbol the most restrictive is in force
 * (the kind's rank), and a refusal names it and its ticket. Both checks fail closed (503).
 */
import { symbolMode } from "../../operators/crds/index";
import { specOf } from "../kit/control-kinds";
import { type Controls, refuse } from "../kit/controls";
import type { Control } from "../kit/controls-store";
import { inForceOnSymbol } from "./symbol-controls";

export const symbolModeKind = symbolMode.kind;

/** The SymbolMode in force on `symbol`, or undefined (NORMAL). */
export function modeInForce(controls: Controls, symbol: string): Control | undefined {
  return inForceOnSymbol(controls, symbolMode, symbol);
}

function modeOf(control: Control) {
  return specOf(symbolMode.spec, control).mode;
}

const slugs = {
  CANCEL_ONLY: "exchange/cancel-only",
  SOFT_HALT: "exchange/soft-halt",
  HARD_HALT: "exchange/hard-halt",
} as const;

function refuseByMode(control: Control, symbol: string, what: string) {
  const mode = modeOf(control) as keyof typeof slugs;
  return refuse(control, slugs[mode], `${symbol} is in ${mode}: ${what} refused`, 423);
}

/** Refuses a new order on `symbol` under any mode but NORMAL. */
export function requireOrderEntry(controls: Controls, symbol: string): void {
  const control = modeInForce(controls, symbol);
  if (control !== undefined && modeOf(control) !== "NORMAL")
    throw refuseByMode(control, symbol, "new orders are");
}

/** Refuses a cancel on `symbol` under HARD_HALT (the book is frozen). */
export function requireCancel(controls: Controls, symbol: string): void {
  const control = modeInForce(controls, symbol);
  if (control !== undefined && modeOf(control) === "HARD_HALT")
    throw refuseByMode(control, symbol, "cancels are");
}
