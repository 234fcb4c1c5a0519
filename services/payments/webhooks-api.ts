/**
 * @module `POST /v1/webhooks/deposits`: the PSP announces a deposit. The signature over the
 * raw bytes is checked before anything else is read; a replay answers the recorded result
 * (200), a changed payload on a known reference is 409 `webhook/reference-mismatch`. Every
 * verified delivery is stored with its attempt (webhook-events.ts) before it is processed, and
 * its event id is answered in `webhook-event-id`, so a failed one can be replayed.
 */
import { createRoute } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import { verifyWebhookSignature, webhookSignatureHeader } from "../kit/webhook-signature";
import { depositSchema } from "./api-schemas";
import { webhookSecrets } from "./config";
import type { PaymentsContext } from "./payments-context";
import { paymentsProblems } from "./problems";
import { receiveWebhookEvent } from "./webhook-events";
import { processWebhookEvent, readDepositWebhook } from "./webhook-processing";

const depositRoute = createRoute({
  method: "post",
  path: "/v1/webhooks/deposits",
  summary: "Deposit webhook, signed: X-Webhook-Signature = hex HMAC-SHA256 of the raw body",
  description: `Body: ${JSON.stringify({ reference: "dep_123", account: "users:42:wallet", amount: "1050", currency: "USD" })}`,
  responses: {
    200: {
      description: "Credited (or the replay of an earlier credit)",
      content: { "application/json": { schema: depositSchema } },
    },
    ...problemResponses(400, 401, 409, 422, 503),
  },
});

export function mountWebhooksApi(app: ServiceApp, context: PaymentsContext): void {
  const { pool, controls, config } = context.service;
  app.openapi(depositRoute, async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    if (
      !verifyWebhookSignature(webhookSecrets(config), raw, c.req.header(webhookSignatureHeader))
    ) {
      throw problem({
        type: paymentsProblems.webhookSignature,
        title: "Invalid webhook signature",
        status: 401,
        detail:
          "X-Webhook-Signature must be the hex HMAC-SHA256 of the raw body with the shared key",
      });
    }
    // Read before storing: a body without a reference cannot be an event anyone replays.
    const { deposit } = readDepositWebhook(raw);
    const eventId = await receiveWebhookEvent(pool, "deposit", deposit.reference, raw);
    c.header("webhook-event-id", eventId);
    const recorded = await processWebhookEvent(
      { pool, controls, attempts: context.metrics.webhookAttempts },
      eventId,
      raw,
    );
    if (recorded.replayed) c.header("webhook-replayed", "true");
    return c.json(recorded.deposit, 200);
  });
}
