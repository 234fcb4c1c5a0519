/**
 * @module What every one-shot admin action of the exchange (CancelAll, SettlementReplay) is
 * sent beside its own fields: the reference that names the run, so a repeat answers the first,
 * and who asks and why, for the audit.
 */
import { z } from "@hono/zod-openapi";

export const adminRunFields = {
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
