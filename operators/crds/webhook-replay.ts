/**
 * @module The WebhookReplay kind: a one-shot that re-processes one stored PSP webhook event
 * with exactly the payload the PSP sent (the handbook's "re-send failed events by event id"),
 * and records the outcome.
 */
import { z } from "@hono/zod-openapi";
import { printerColumns } from "./common";
import { defineControlKind } from "./kind";
import { timestamp } from "./schema";

export const webhookReplay = defineControlKind({
  kind: "WebhookReplay",
  plural: "webhookreplays",
  singular: "webhookreplay",
  shortNames: ["whr"],
  description:
    "Re-processes one stored PSP webhook event of payments once, with exactly the payload the " +
    "PSP signed (never a new payload for an old reference), and records whether it succeeded. " +
    "Find the event id with GET /v1/webhooks/events?status=failed. Replaying an event that " +
    "already succeeded changes nothing. The spec is immutable; create a new WebhookReplay to " +
    "replay again.",
  oneShot: true,
  fields: {
    eventId: z
      .uuid()
      .meta({ description: "The stored webhook event's id (payments' webhook_events.id)." }),
  },
  statusFields: {
    outcome: z
      .enum(["succeeded", "failed"])
      .optional()
      .meta({ description: "What processing the stored payload did." }),
    attempts: z
      .int()
      .min(0)
      .optional()
      .meta({ description: "The event's processing attempts, this replay included." }),
    finishedAt: timestamp("When payments recorded the replay's outcome.").optional(),
    startedAt: timestamp("When the operator first asked payments to replay.").optional(),
  },
  columns: printerColumns(".spec.eventId", [
    {
      name: "Outcome",
      type: "string",
      jsonPath: ".status.outcome",
      description: "Whether the replayed event was processed.",
    },
  ]),
});
