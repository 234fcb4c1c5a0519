/**
 * @module The Paystack-style provider as escrow speaks it. Transfers to sellers are
 * `POST <PAYSTACK_URL>/transfer` with `Authorization: Bearer <secret key>` and our payout id as
 * `reference` (the provider executes a reference once), answered
 * `{"status": true, "data": {"status": "success"|"failed"|"reversed"|"pending"|"otp", "transfer_code"}}`.
 * Only `success` and `failed`/`reversed` are certain; anything else is ambiguous and waits for
 * the transfer webhook or a person. Webhooks are signed with HMAC-SHA512 of the raw body
 * under the secret key, in `X-Paystack-Signature`.
 */
import {
  createPspGateway,
  type PspDialect,
  type PspGateway,
  type PspOutcome,
} from "../kit/psp-gateway";

/** The header of the provider's webhook signature. */
export const paystackSignatureHeader = "x-paystack-signature";

function readTransferAnswer(status: number, body: Record<string, unknown> | undefined): PspOutcome {
  const data = body?.data as Record<string, unknown> | undefined;
  if (body?.status !== true || typeof data !== "object" || data === null) {
    return { kind: "ambiguous", reason: `provider answered ${status} without a transfer` };
  }
  const code = typeof data.transfer_code === "string" ? data.transfer_code : "";
  if (data.status === "success" && code !== "") return { kind: "sent", pspPayoutId: code };
  if (data.status === "failed" || data.status === "reversed") {
    return { kind: "failed", reason: `provider reported the transfer ${String(data.status)}` };
  }
  return {
    kind: "ambiguous",
    reason: `provider answered transfer status ${JSON.stringify(data.status)}`,
  };
}

/** A gateway for transfers to sellers (`recipient` is the seller's recipient code). */
export function createPaystackGateway(options: {
  readonly baseUrl: string;
  readonly secretKey: string;
  readonly timeoutMs: number;
}): PspGateway {
  const dialect: PspDialect = {
    path: "/transfer",
    headers: { authorization: `Bearer ${options.secretKey}` },
    body: (request) => ({
      source: "balance",
      reference: request.reference,
      amount: request.amount.toString(),
      currency: request.currency,
      recipient: request.destination,
    }),
    readSuccess: readTransferAnswer,
  };
  return createPspGateway({ baseUrl: options.baseUrl, timeoutMs: options.timeoutMs, dialect });
}
