/** @module The WithdrawalHalt kind: stop payouts (creation and the payout worker) in scope. */
import { type ControlKindDefinition, printerColumns } from "./common";
import { array, object, string, stringSet } from "./schema";

export const withdrawalHalt: ControlKindDefinition = {
  kind: "WithdrawalHalt",
  plural: "withdrawalhalts",
  singular: "withdrawalhalt",
  shortNames: ["wh", "halt"],
  description:
    "Halts withdrawals (payouts) on the services and currencies in scope while it exists. " +
    "Delete it to lift the halt; set expiresAt to lift it at a given time.",
  oneShot: false,
  specFields: {
    scope: object("Which withdrawals are halted. Empty or absent lists mean all.", {
      services: stringSet(
        "Target services (names from the operator's targets file). Empty: every service " +
          "that enforces WithdrawalHalt.",
        string("A service name.", { maxLength: 63, pattern: "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$" }),
        32,
      ),
      currencies: stringSet(
        "Currency codes whose payouts are halted (e.g. BTC, USD). Empty: every currency.",
        string("A currency code.", { maxLength: 12, pattern: "^[A-Z0-9]{2,12}$" }),
        64,
      ),
    }),
  },
  specRequired: [],
  statusFields: {
    wouldHalt: array(
      "Dry run only: the services that would enforce the halt and their live replicas.",
      object("A service the halt would reach.", {
        service: string("The service name.", { maxLength: 253 }),
        live: { type: "integer", description: "Its live replicas now." },
      }),
      64,
    ),
  },
  columns: printerColumns(".status.target"),
};
