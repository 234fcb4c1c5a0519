/**
 * @module The body the operator sends a service's admin endpoint to run a one-shot control
 * (CancelAll, WebhookReplay): the reference (the control's uid) names the run, so a repeat
 * answers the first run instead of acting again, and the requester, reason and ticket go to
 * the audit.
 */
import { z } from "@hono/zod-openapi";

export const oneShotRequestSchema = z.object({
  reference: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/)
    .openapi({ description: "Names this run: a repeat with it answers the first run." }),
  actor: z.string().min(1).max(253),
  reason: z.string().min(1).max(1024),
  ticket: z.string().min(1).max(128),
});
