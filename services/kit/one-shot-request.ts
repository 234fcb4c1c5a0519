/**
 * @module The body the operator sends a service's admin endpoint to run a one-shot control
 * (CancelAll, SettlementReplay, WebhookReplay): the reference (the control's uid) names the
 * run, so a repeat answers the first run instead of acting again, and the requester, reason
 * and ticket go to the audit. A kind with fields of its own adds them to `oneShotRequestFields`.
 */
import { z } from "@hono/zod-openapi";

export const oneShotRequestFields = {
  reference: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/)
    .openapi({ description: "Names this run: a repeat with it answers the first run." }),
  actor: z.string().min(1).max(253),
  reason: z.string().min(1).max(1024),
  ticket: z.string().min(1).max(128),
};

export const oneShotRequestSchema = z.object(oneShotRequestFields);
