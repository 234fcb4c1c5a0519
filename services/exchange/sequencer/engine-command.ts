/**
 * @module What a sequencer takes in: the commands the engine log records, and their JSON form
 * in the log (bigints as decimal strings, so the log reads as the API does).
 */
import type { NewOrder } from "../engine/types";

export type EngineCommand =
  | { readonly type: "place"; readonly order: NewOrder }
  | { readonly type: "cancel"; readonly orderId: string }
  | { readonly type: "cancel-all"; readonly control: string };

/** The log `kind` of a command row. */
export function commandKind(command: EngineCommand): string {
  return `command:${command.type}`;
}

/** A value as the log stores it: every bigint as its decimal string. */
export function toLogJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, item) => (typeof item === "bigint" ? item.toString() : item)),
  );
}

const bigintFields = new Set(["price", "quantity", "quoteBudget"]);

/** A command read back from the log. */
export function commandFromLog(payload: Record<string, unknown>): EngineCommand {
  if (payload.type !== "place") return payload as unknown as EngineCommand;
  const stored = payload.order as Record<string, unknown>;
  const order = Object.fromEntries(
    Object.entries(stored).map(([key, value]) => [
      key,
      bigintFields.has(key) && typeof value === "string" ? BigInt(value) : value,
    ]),
  ) as unknown as NewOrder;
  return { type: "place", order };
}
