/**
 * @module The control kinds a service can enforce and the shape of their `spec` (the contract
 * with the operator). A service lists the kinds it enforces; a PUT of another kind is 422.
 */
import { z } from "@hono/zod-openapi";

const names = z.array(z.string().min(1)).optional();

/** `spec` schema per kind. */
export const controlSpecSchemas = {
  WithdrawalHalt: z.object({
    scope: z.object({ services: names, currencies: names }).default({}),
  }),
  SymbolMode: z.object({
    symbol: z.string().min(1),
    mode: z.enum(["NORMAL", "CANCEL_ONLY", "SOFT_HALT", "HARD_HALT"]),
  }),
  ProviderDisable: z.object({ provider: z.string().min(1) }),
} as const;

export type ControlKind = keyof typeof controlSpecSchemas;

export type ControlSpec<K extends ControlKind> = z.infer<(typeof controlSpecSchemas)[K]>;

/** How restrictive a symbol mode is (higher wins when several controls touch a symbol). */
export const symbolModeRank = { NORMAL: 0, CANCEL_ONLY: 1, SOFT_HALT: 2, HARD_HALT: 3 } as const;

/** True when `list` is empty/absent (= all) or contains `value` (case-insensitive). */
export function scopeIncludes(list: readonly string[] | undefined, value: string): boolean {
  if (list === undefined || list.length === 0) return true;
  const wanted = value.toLowerCase();
  return list.some((item) => item.toLowerCase() === wanted);
}
