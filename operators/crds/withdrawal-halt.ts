/** @module The WithdrawalHalt kind: stop payouts (creation and the payout worker) in scope. */
import { z } from "@hono/zod-openapi";
import { printerColumns } from "./common";
import { defineControlKind } from "./kind";
import { stringSet } from "./schema";

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
    scope: z
      .object({
        services: stringSet(
          "Target services (names from the operator's targets file). Empty: every service " +
            "that enforces WithdrawalHalt.",
          z
            .string()
            .max(63)
            .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/)
            .meta({ description: "A service name." }),
          32,
        ).optional(),
        currencies: stringSet(
          "Currency codes whose payouts are halted (e.g. BTC, USD). Empty: every currency.",
          z
            .string()
            .max(12)
            .regex(/^[A-Z0-9]{2,12}$/)
            .meta({ description: "A currency code." }),
          64,
        ).optional(),
      })
      .optional()
      .meta({ description: "Which withdrawals are halted. Empty or absent lists mean all." }),
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
  targets(spec) {
    const services = nonEmpty(spec.scope?.services) ?? [undefined];
    const currencies = nonEmpty(spec.scope?.currencies) ?? [undefined];
    return services.flatMap((service) => currencies.map((currency) => ({ service, currency })));
  },
  rank: () => 1,
});

function nonEmpty(list: readonly string[] | undefined): readonly string[] | undefined {
  return list !== undefined && list.length > 0 ? list : undefined;
}
