/**
 * @module WithdrawalHalt enforcement for payouts, from the replica's in-memory controls only.
 * A halt covers a payout when its scope's services are empty or name this service, and its
 * currencies are empty or name the payout's currency. Both checks fail closed: a replica that
 * cannot hold its controls throws 503 `controls/unavailable` instead of answering.
 */

import type { z } from "zod";
import { targetCovers } from "../../operators/crds/in-force";
import { withdrawalHalt } from "../../operators/crds/index";
import type { ControlTarget } from "../../operators/crds/kind";
import { type ControlSpec, rankOf, scopeIncludes, specOf } from "../kit/control-kinds";
import type { Controls } from "../kit/controls";
import { refuse } from "../kit/controls";
import type { Control } from "../kit/controls-store";
import type { ProblemError } from "../kit/problem";

export const withdrawalHaltKind = withdrawalHalt.kind;

type HaltScope = NonNullable<ControlSpec<"WithdrawalHalt">["scope"]>;

/** The halt's scope, read with the kind's schema (a spec it refuses fails closed: 503). */
function scopeOf(control: Control): HaltScope {
  return specOf(withdrawalHalt.spec, control).scope ?? {};
}

/**
 * Whether `control` (a WithdrawalHalt) covers payouts of `service` in `currency`: one of the
 * targets its kind definition gives it (what the operator compares halts by) covers them.
 */
export function coversPayout(control: Control, service: string, currency: string): boolean {
  return coversCurrency(withdrawalHalt, control, service, currency);
}

/**
 * Whether `control`, of a kind with a service and currency scope (WithdrawalHalt,
 * PayoutThrottle), covers payouts of `service` in `currency`.
 */
export function coversCurrency<S extends z.ZodType>(
  definition: { readonly spec: S; targets(spec: z.infer<S>): readonly ControlTarget[] },
  control: Control,
  service: string,
  currency: string,
): boolean {
  const spec = specOf(definition.spec, control);
  return definition.targets(spec).some((target) => targetCovers(target, { service, currency }));
}

/** The halt that covers a payout in `currency`, if any (throws 503 when controls are unknown). */
export function findWithdrawalHalt(
  controls: Controls,
  service: string,
  currency: string,
): Control | undefined {
  return controls.findBlocking(
    withdrawalHaltKind,
    (control) => coversPayout(control, service, currency),
    rankOf(withdrawalHalt),
  );
}

/** The 423 problem for a payout refused by `halt`, naming the control and its ticket. */
export function withdrawalsHalted(halt: Control): ProblemError {
  return refuse(halt, "withdrawals/halted", "Withdrawals are halted", 423);
}

/** What the payout worker may not send right now. */
export interface HaltedPayouts {
  /** A halt on every currency, if one is active. */
  readonly all: Control | undefined;
  /** Upper-case currencies under a per-currency halt. */
  readonly currencies: string[];
}

/** Every currency halted for `service` (throws 503 when controls are unknown). */
export function haltedPayouts(controls: Controls, service: string): HaltedPayouts {
  const all = controls.findBlocking(withdrawalHaltKind, (control) => {
    const scope = scopeOf(control);
    return scopeIncludes(scope.services, service) && (scope.currencies ?? []).length === 0;
  });
  if (all) return { all, currencies: [] };
  const named = new Set<string>();
  for (const halt of controls.active(withdrawalHaltKind, (control) =>
    scopeIncludes(scopeOf(control).services, service),
  )) {
    for (const currency of scopeOf(halt).currencies ?? []) named.add(currency.toUpperCase());
  }
  return { all: undefined, currencies: [...named] };
}
