/**
 * @module The EscrowResolution kind: a one-shot that releases a stuck escrow transaction's
 * held funds to the seller or refunds them to the buyer (seed 004's "Super Admin can force
 * release or refund"), through the same audited transition as the admin endpoints. Above the
 * escrow service's approval amount it needs a second person's approval (four eyes).
 */
import { z } from "@hono/zod-openapi";
import { printerColumns } from "./common";
import { defineControlKind } from "./kind";

export const escrowResolution = defineControlKind({
  kind: "EscrowResolution",
  plural: "escrowresolutions",
  singular: "escrowresolution",
  shortNames: ["er"],
  description:
    "Releases (to the seller) or refunds (to the buyer) one escrow transaction's held funds, " +
    "once, and records the resulting state. Above the approval amount the escrow service asks " +
    "for a second person's approval (annotation ops.breakwater.dev/approved-by). The spec is " +
    "immutable; repeating a resolution that already happened changes nothing.",
  oneShot: true,
  fields: {
    transactionId: z
      .uuid()
      .meta({ description: "The escrow transaction's id (the seed's <transaction_id>)." }),
    decision: z
      .enum(["release", "refund"])
      .meta({ description: "release: held funds to the seller; refund: back to the buyer." }),
  },
  statusFields: {
    transactionState: z
      .string()
      .max(32)
      .optional()
      .meta({ description: "The transaction's state after the resolution (released, refunded)." }),
    amount: z
      .string()
      .max(20)
      .optional()
      .meta({ description: "The transaction's amount in minor units." }),
    changed: z
      .boolean()
      .optional()
      .meta({ description: "False when the transaction already was in that state." }),
  },
  columns: printerColumns(".spec.transactionId", [
    {
      name: "Decision",
      type: "string",
      jsonPath: ".spec.decision",
      description: "release or refund.",
    },
    { name: "State", type: "string", jsonPath: ".status.transactionState", description: "After." },
  ]),
});
