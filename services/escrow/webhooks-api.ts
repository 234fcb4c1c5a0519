/**
 * @module `POST /api/v1/webhooks/paystack`: the provider's deliveries. The HMAC-SHA512
 * signature over the raw bytes (`X-Paystack-Signature`, keyed with the secret key) is checked
 * before anything is read; a verified delivery is stored in `payment_events` and applied
 * once; a replay answers the stored outcome, drift is 409 `webhook/reference-mismatch`.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { parseJsonBody, validInput } from "../kit/input-problems";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import { verifyWebhookSignature } from "../kit/webhook-signature";
import type { EscrowContext } from "./escrow-context";
import { paymentEventSchema, recordPaymentEvent } from "./payment-events";
import { paystackSignatureHeader } from "./paystack";
import { asProblem, escrowProblems } from "./problems";

const answerSchema = z
  .object({
    outcome: z.enum(["applied", "ignored", "refused"]),
    detail: z.string().nullable(),
    transactionId: z.string().nullable(),
    replayed: z.boolean(),
  })
  .openapi("PaymentEventAnswer");

const webhookRoute = createRoute({
  method: "post",
  path: "/api/v1/webhooks/paystack",
  summary: "Provider webhook, signed: X-Paystack-Signature = hex HMAC-SHA512 of the raw body",
  description: `Body: ${JSON.stringify({ event: "charge.success", data: { reference: "esc_…", amount: 50000, currency: "USD" } })}`,
  responses: {
    200: {
      description: "Stored and applied, ignored, or refused (see outcome); or the replay of one",
      content: { "application/json": { schema: answerSchema } },
    },
    ...problemResponses(400, 401, 409, 422, 503),
  },
});

export function mountWebhooksApi(app: ServiceApp, context: EscrowContext): void {
  const { pool, config } = context.service;
  app.openapi(webhookRoute, async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const signature = c.req.header(paystackSignatureHeader);
    if (!verifyWebhookSignature(config.PAYSTACK_SECRET_KEY, raw, signature, "sha512")) {
      context.metrics.webhooks.inc({ event: "unknown", outcome: "bad_signature" });
      throw problem({
        type: escrowProblems.webhookSignature,
        title: "Invalid webhook signature",
        status: 401,
        detail:
          "X-Paystack-Signature must be the hex HMAC-SHA512 of the raw body with the secret key",
      });
    }
    const payload = parseJsonBody(raw);
    const delivery = validInput(paymentEventSchema, payload);
    try {
      const recorded = await asProblem(() => recordPaymentEvent(pool, delivery, payload));
      const outcome = recorded.replayed ? "replayed" : recorded.outcome;
      context.metrics.webhooks.inc({ event: delivery.event, outcome });
      if (recorded.replayed) c.header("webhook-replayed", "true");
      return c.json(recorded, 200);
    } catch (error) {
      if ((error as { status?: number }).status === 409)
        context.metrics.webhooks.inc({ event: delivery.event, outcome: "mismatch" });
      throw error;
    }
  });
}
