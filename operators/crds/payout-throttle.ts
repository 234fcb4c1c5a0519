/**
 * @module The PayoutThrottle kind: limit payout creation per currency to a rate while a PSP
 * is degraded (the runbook's "throttle payout creation"), instead of halting it.
 */
import { z } from "zod";
import { printerColumns } from "./common";
import { currencyList, currencyScope, currencyScopeTargets } from "./currency-scope";
import { defineControlKind } from "./kind";

/** Seconds in each window a rate can be given per. */
export const throttleWindowSeconds = { Second: 1, Minute: 60 } as const;

export const payoutThrottle = defineControlKind({
  kind: "PayoutThrottle",
  plural: "payoutthrottles",
  singular: "payoutthrottle",
  shortNames: ["pt"],
  description:
    "Limits payout creation on the services and currencies in scope to a rate while it " +
    "exists: each currency may create at most `rate` payouts per window (`per`), counted " +
    "across every replica; over it a payout is refused with 429 and Retry-After. Delete it " +
    "to lift the throttle; set expiresAt to lift it at a given time.",
  oneShot: false,
  fields: {
    scope: currencyScope(
      "PayoutThrottle",
      "Currency codes whose payout creation is throttled, each with its own budget. " +
        "Empty: every currency.",
      "Which payouts are throttled. Empty or absent lists mean all.",
    ),
    rate: z
      .int()
      .min(0)
      .max(100000)
      .meta({ description: "Payouts each currency may create per window; 0 refuses all." }),
    per: z.enum(["Second", "Minute"]).meta({
      description:
        "The window the rate counts in; a window starts with the first payout it counts.",
    }),
  },
  columns: printerColumns(".status.target"),
  targets: (spec) => currencyScopeTargets(spec.scope),
  // The slower rate is the more restrictive: where throttles share a currency, the one with
  // the fewest payouts per minute is in force (and is the one a refusal names).
  rank: (spec) => 6_000_000 - perMinute(spec),
  defaultPublicMessage: (spec) =>
    `Withdrawals${currencyList(spec.scope?.currencies)} are slower than usual while a payment partner recovers.`,
});

/** A throttle's rate as payouts per minute. */
export function perMinute(spec: { readonly rate: number; readonly per: "Second" | "Minute" }) {
  return spec.rate * (60 / throttleWindowSeconds[spec.per]);
}
