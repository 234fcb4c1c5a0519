/**
 * @module The OrderThrottle kind: limit new orders on a trading symbol, or on every symbol
 * (`scope: Global`), to a rate (seed 002 §3.2, "throttle new orders for affected symbols" when
 * settlement lag passes T2), instead of halting it. Cancels are never throttled.
 */
import { z } from "@hono/zod-openapi";
import { printerColumns } from "./common";
import { defineControlKind } from "./kind";
import { perMinute } from "./payout-throttle";
import { symbolScopeFields, symbolScopeRule, symbolScopeTargets } from "./symbol-scope";

export const orderThrottle = defineControlKind({
  kind: "OrderThrottle",
  plural: "orderthrottles",
  singular: "orderthrottle",
  shortNames: ["ot"],
  description:
    "Limits new orders on a symbol (or, with scope Global, on each symbol) to `rate` per " +
    "window (`per`), counted across every replica, while it exists; cancels pass. Over the " +
    "rate an order is refused with 429 and Retry-After. Where throttles share a symbol the " +
    "slowest is in force. Delete it to lift.",
  oneShot: false,
  fields: {
    ...symbolScopeFields,
    rate: z
      .int()
      .min(0)
      .max(1_000_000)
      .meta({ description: "New orders the symbol may take per window; 0 refuses all." }),
    per: z.enum(["Second", "Minute"]).meta({
      description: "The window the rate counts in; a window starts with the first order.",
    }),
  },
  specRules: [symbolScopeRule],
  columns: printerColumns(".spec.symbol", [
    { name: "Scope", type: "string", jsonPath: ".spec.scope", description: "Symbol or Global." },
    { name: "Rate", type: "integer", jsonPath: ".spec.rate", description: "Orders per window." },
    { name: "Per", type: "string", jsonPath: ".spec.per", description: "The window." },
  ]),
  targets: symbolScopeTargets,
  // The slower rate is the more restrictive (as for payouts): it is the one in force.
  rank: (spec) => 60_000_000 - perMinute(spec),
  defaultPublicMessage: (spec) =>
    `New orders in ${spec.scope === "Global" ? "every market" : spec.symbol} are accepted at a reduced rate while we catch up; cancels are not affected.`,
});
