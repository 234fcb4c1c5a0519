/** @module The ProviderDisable kind: take a purchasing provider out of routing. */
import { z } from "@hono/zod-openapi";
import { printerColumns } from "./common";
import { defineControlKind } from "./kind";

export const providerDisable = defineControlKind({
  kind: "ProviderDisable",
  plural: "providerdisables",
  singular: "providerdisable",
  shortNames: ["pd"],
  description:
    "Disables one upstream provider while it exists, so traffic routes to the others " +
    '(the declarative form of the runbook\'s "disable provider in the admin panel"). ' +
    "Delete it to enable the provider again.",
  oneShot: false,
  fields: {
    provider: z
      .string()
      .max(63)
      .regex(/^[a-z0-9][a-z0-9_-]*$/)
      .meta({ description: "The provider's name as the services know it, e.g. bad_provider." }),
  },
  columns: printerColumns(".spec.provider"),
  targets: (spec) => [{ provider: spec.provider }],
  rank: () => 1,
  defaultPublicMessage: () =>
    "Some items are temporarily unavailable from one of our suppliers; other suppliers are unaffected.",
});
