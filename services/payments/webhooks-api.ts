/**
 * @module `POST /v1/webhooks/deposits`: the PSP announces a deposit. The signature over the
 * raw bytes is checked before anything else is read; a replay answers the recorded result
 * (200), a changed payload on a known reference is 409 `webhook/reference-mismatch`.
 */
import { createRoute } from "@hono/zod-openapi";
import type { ServiceApp } from "../kit/app-env";
import { parseJsonBody, validInput } from "../kit/input-problems";
import { parseAmount } from "../kit/ledger/amount";
import { problem } from "../kit/problem";
import { problemResponses } from "../kit/problem-schema";
import { verifyWebhookSignature, webhookSignatureHeader } from "../kit/webhook-signature";
import { isPlatformAccount, platformAccountProblem } from "./account-access";
import { depositSchema, depositWebhookSchema } from "./api-schemas";
import { webhookSecrets } from "./config";
import { recordDeposit } from "./deposits";
import type { PaymentsContext } from "./payments-context";
import { asProblem, paymentsProblems } from "./problems";

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
    const payload = parseJsonBody(raw);
    const deposit = validInput(depositWebhookSchema, payload);
    if (isPlatformAccount(deposit.account)) {
      // The PSP credits users; a deposit into in-flight or clearing would corrupt them.
      throw problem({
        type: platformAccountProblem,
        title: "Platform accounts are not reachable through the API",
        status: 422,
        detail: `account: ${deposit.account} is one of the platform's own accounts; deposits credit users`,
        extensions: { field: "account", account: deposit.account },
      });
    }
    controls.requireAvailable();
    const recorded = await asProblem(() =>
      recordDeposit(pool, { ...deposit, amount: parseAmount(deposit.amount), payload }),
    );
    if (recorded.replayed) c.header("webhook-replayed", "true");
    return c.json(recorded.deposit, 200);
  });
}
