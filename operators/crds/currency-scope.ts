/**
 * @module The `scope` of kinds that act on payouts per service and currency (WithdrawalHalt,
 * PayoutThrottle): its schema and the targets it touches, defined once for both.
 */
import { z } from "zod";
import type { ControlTarget } from "./kind";
import { stringSet } from "./schema";

/** `scope: { services?, currencies? }` for `kind`; empty or absent lists mean all. */
export function currencyScope(kind: string, currenciesDescription: string, description: string) {
  return z
    .object({
      services: stringSet(
        "Target services (names from the operator's targets file). Empty: every service " +
          `that enforces ${kind}.`,
        z
          .string()
          .max(63)
          .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/)
          .meta({ description: "A service name." }),
        32,
      ).optional(),
      currencies: stringSet(
        currenciesDescription,
        z
          .string()
          .max(12)
          .regex(/^[A-Z0-9]{2,12}$/)
          .meta({ description: "A currency code." }),
        64,
      ).optional(),
    })
    .optional()
    .meta({ description });
}

/** One `{ service, currency }` target per pair in scope, absent meaning every. */
export function currencyScopeTargets(
  scope: { readonly services?: readonly string[]; readonly currencies?: readonly string[] } = {},
): ControlTarget[] {
  const services = nonEmpty(scope.services) ?? [undefined];
  const currencies = nonEmpty(scope.currencies) ?? [undefined];
  return services.flatMap((service) => currencies.map((currency) => ({ service, currency })));
}

function nonEmpty(list: readonly string[] | undefined): readonly string[] | undefined {
  return list !== undefined && list.length > 0 ? list : undefined;
}

/** " in BTC and ETH" for a public message; "" when every currency is in scope. */
export function currencyList(currencies: readonly string[] | undefined): string {
  const listed = nonEmpty(currencies);
  if (listed === undefined) return "";
  const last = listed[listed.length - 1];
  return listed.length === 1 ? ` in ${last}` : ` in ${listed.slice(0, -1).join(", ")} and ${last}`;
}
