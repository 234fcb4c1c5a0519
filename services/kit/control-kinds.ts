/**
 * @module The control kinds a service can enforce, from their one definition in
 * operators/crds/ (the same zod schemas the CRDs are generated from): the `spec` the admin
 * API accepts, its TypeScript type, and how restrictive a control is. A service lists the
 * kinds it enforces; a PUT of another kind is 422.
 */
import type { z } from "zod";
import { controlsUnavailable } from "./controls";
import type { Control } from "./controls-store";

export {
  type ControlKindName as ControlKind,
  type ControlKindOf,
  type ControlSpec,
  controlKindDefinition,
} from "../../operators/crds/index";

/**
 * The typed spec of a stored control, read with its kind's schema. A stored spec the
 * definition refuses (written before a rule was tightened) fails closed: 503
 * `controls/unavailable`, naming the control.
 */
export function specOf<S extends z.ZodType>(schema: S, control: Control): z.infer<S> {
  const parsed = schema.safeParse(control.spec);
  if (parsed.success) return parsed.data;
  throw controlsUnavailable(
    `control ${control.id} holds a ${control.kind} spec this replica cannot read: ${parsed.error.issues[0]?.message}`,
  );
}

/** The rank a kind gives a stored control, for `controls.findBlocking(kind, matches, rank)`. */
export function rankOf<S extends z.ZodType>(definition: {
  readonly spec: S;
  rank(spec: z.infer<S>): number;
}): (control: Control) => number {
  return (control) => definition.rank(specOf(definition.spec, control));
}

/** True when `list` is empty/absent (= all) or contains `value` (case-insensitive). */
export function scopeIncludes(list: readonly string[] | undefined, value: string): boolean {
  if (list === undefined || list.length === 0) return true;
  const wanted = value.toLowerCase();
  return list.some((item) => item.toLowerCase() === wanted);
}
