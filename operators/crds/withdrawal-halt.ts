/** @module The WithdrawalHalt kind: stop payouts (creation and the payout worker) in scope. */
import { z } from "@hono/zod-openapi";
import { printerColumns } from "./common";
import { currencyList, currencyScope, currencyScopeTargets } from "./currency-scope";
import { defineControlKind } from "./kind";

export const withdrawalHalt = defineControlKind({
  kind: "WithdrawalHalt",
  plural: "withdrawalhalts",
  singular: "withdrawalhalt",
  shortNames: ["wh", "halt"],
  description:
    "Halts withdrawals (payouts) on the services and currencies in scope while it exists. " +
    "Delete it to lift the halt; set expiresAt to lift it at a given time.",
  oneShot: false,
  fields: {
    scope: currencyScope(
      "WithdrawalHalt",
      "Currency codes whose payouts are halted (e.g. BTC, USD). Empty: every currency.",
      "Which withdrawals are halted. Empty or absent lists mean all.",
    ),
  },
  statusFields: {
    wouldHalt: z
      .array(
        z
          .object({
            service: z.string().max(253).meta({ description: "The service name." }),
            live: z.int().min(0).meta({ description: "Its live replicas now." }),
          })
          .meta({ description: "A service the halt would reach." }),
      )
      .max(64)
      .optional()
      .meta({
        description:
          "Dry run only: the services that would enforce the halt and their live replicas.",
      }),
  },
  columns: printerColumns(".status.target"),
  // Every halt refuses the payouts it covers: none is more restrictive than another, so on a
  // shared currency the newest decides (the one a refusal names).
  targets: (spec) => currencyScopeTargets(spec.scope),
  rank: () => 1,
  defaultPublicMessage: (spec) =>
    `Withdrawals${currencyList(spec.scope?.currencies)} are paused while we check them. Your funds are safe.`,
});
