/** @module The ProviderDisable kind: take a purchasing provider out of routing. */
import { type ControlKindDefinition, printerColumns } from "./common";
import { string } from "./schema";

export const providerDisable: ControlKindDefinition = {
  kind: "ProviderDisable",
  plural: "providerdisables",
  singular: "providerdisable",
  shortNames: ["pd"],
  description:
    "Disables one upstream provider while it exists, so traffic routes to the others " +
    '(the declarative form of the runbook\'s "disable provider in the admin panel"). ' +
    "Delete it to enable the provider again.",
  oneShot: false,
  specFields: {
    provider: string("The provider's name as the services know it, e.g. bad_provider.", {
      maxLength: 63,
      pattern: "^[a-z0-9][a-z0-9_-]*$",
    }),
  },
  specRequired: ["provider"],
  columns: printerColumns(".spec.provider"),
};
