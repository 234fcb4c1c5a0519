/**
 * @module The body of Alertmanager's webhook notification, version 4 (webhook_config): a
 * group of alerts, each firing or resolved, with its labels, annotations and fingerprint.
 * Fields the autopilot does not use are accepted and ignored.
 */
import { z } from "zod";

const labels = z.record(z.string(), z.string());

export const webhookAlertSchema = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: labels.refine((value) => typeof value.alertname === "string", {
    message: "every alert has an alertname label",
  }),
  annotations: labels.default({}),
  startsAt: z.string(),
  endsAt: z.string().default("0001-01-01T00:00:00Z"),
  generatorURL: z.string().default(""),
  fingerprint: z.string().regex(/^[0-9a-f]{1,32}$/, { message: "expected a hex fingerprint" }),
});

export const webhookPayloadSchema = z.object({
  version: z.literal("4", { error: "expected webhook payload version 4" }),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string(),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().default(""),
  alerts: z.array(webhookAlertSchema).max(10_000),
});

export type WebhookAlert = z.infer<typeof webhookAlertSchema>;
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;
