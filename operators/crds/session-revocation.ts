/**
 * @module The SessionRevocation kind: the handbook's "force logout tokens" after a key or
 * account leak. While it exists the services in scope refuse every access token issued before
 * `issuedBefore` (all users, or only `subjects`), so holders must sign in again; tokens issued
 * later pass. It is kept until the revoked tokens would have expired anyway.
 */
import { z } from "@hono/zod-openapi";
import { printerColumns, serviceNameList } from "./common";
import { defineControlKind } from "./kind";
import { stringSet, timestamp } from "./schema";

export const sessionRevocation = defineControlKind({
  kind: "SessionRevocation",
  plural: "sessionrevocations",
  singular: "sessionrevocation",
  shortNames: ["srev"],
  description:
    "Signs out sessions: while it exists the services in scope refuse access tokens issued " +
    "before `issuedBefore` (or carrying no issue time) with 401 naming this control, for every " +
    "user or only `subjects`; a token issued afterwards passes. Keep it until the revoked " +
    "tokens have expired (their lifetime past issuedBefore), then delete it.",
  oneShot: false,
  fields: {
    services: serviceNameList(
      "The services that refuse the revoked tokens (names from the operator's targets file).",
    ),
    issuedBefore: timestamp(
      "Tokens whose `iat` is earlier than this are refused, e.g. the time the leak was found.",
    ),
    subjects: stringSet(
      "Only these users' tokens (the token's `sub`); empty or absent: every user's.",
      z.string().min(1).max(255).meta({ description: "A token subject." }),
      100,
    ).optional(),
  },
  columns: printerColumns(".status.target", [
    {
      name: "Issued-Before",
      type: "date",
      jsonPath: ".spec.issuedBefore",
      description: "Tokens issued earlier are refused.",
    },
  ]),
  targets: (spec) => spec.services.map((service) => ({ service })),
  // A later cut-off signs out more sessions: it is the more restrictive.
  rank: (spec) => Date.parse(spec.issuedBefore) / 1000,
  defaultPublicMessage: () =>
    "For your security we signed everyone out. Please sign in again; nothing else changed.",
});
