/**
 * @module A small real HTTP server that plays the Paystack-style provider in escrow's tests
 * and benchmark: `POST /transfer` (bearer secret key required) answered per recipient as
 * scripted — success, failed, pending (ambiguous: it will pay), a 500 — executing each
 * reference once and answering a repeat with the recorded answer, as the provider does. It
 * can sign webhooks the way the provider does (HMAC-SHA512 in X-Paystack-Signature).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { signWebhook } from "../../services/kit/webhook-signature";
import { readBody, sendJson, sendText, startOutsideParty } from "../harness/outside-party";

export type TransferBehaviour = "success" | "failed" | "pending" | "error";

export interface TransferRequest {
  readonly reference: string;
  readonly recipient: string;
  readonly amount: string;
  readonly currency: string;
  readonly behaviour: TransferBehaviour;
}

export interface PaystackServer {
  readonly url: string;
  readonly secretKey: string;
  readonly transfers: TransferRequest[];
  /** Answer transfers to `recipient` with these behaviours in turn; the last one repeats. */
  script(recipient: string, ...behaviours: TransferBehaviour[]): void;
  /** How many times the provider executed (paid) `reference`: 0 or 1. */
  executions(reference: string): number;
  /** The transfer code the provider gave `reference`. */
  transferCode(reference: string): string | undefined;
  /** The raw body and signature header of a webhook as the provider would send it. */
  signed(payload: unknown): { body: string; signature: string };
  /** Stop listening (connections refused); `start()` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPaystackServer(secretKey: string): Promise<PaystackServer> {
  const scripts = new Map<string, TransferBehaviour[]>();
  const executed = new Map<string, { status: number; body: string; code: string }>();
  const transfers: TransferRequest[] = [];

  function next(recipient: string): TransferBehaviour {
    const script = scripts.get(recipient);
    if (script === undefined || script.length === 0) return "success";
    return script.length > 1 ? script.shift()! : script[0]!;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== "POST" || request.url !== "/transfer")
      return sendJson(response, 404, { status: false, message: "not found" });
    if (request.headers.authorization !== `Bearer ${secretKey}`)
      return sendJson(response, 401, { status: false, message: "Invalid key" });
    const body = JSON.parse(await readBody(request)) as Record<string, string>;
    const reference = body.reference ?? "";
    const repeat = executed.get(reference);
    const behaviour = repeat ? "success" : next(body.recipient ?? "");
    transfers.push({
      reference,
      recipient: body.recipient ?? "",
      amount: body.amount ?? "",
      currency: body.currency ?? "",
      behaviour,
    });
    if (repeat) return sendText(response, repeat.status, repeat.body);
    if (behaviour === "error") return sendJson(response, 500, { status: false, message: "error" });
    const code = `TRF_${randomUUID().slice(0, 12)}`;
    const status = behaviour === "failed" ? "failed" : behaviour;
    const answer = JSON.stringify({
      status: true,
      message: "Transfer queued",
      data: { reference, transfer_code: code, status },
    });
    if (behaviour !== "failed") executed.set(reference, { status: 200, body: answer, code });
    sendText(response, 200, answer);
  }

  const party = await startOutsideParty(handle);
  return {
    url: party.url,
    secretKey,
    transfers,
    script: (recipient, ...behaviours) => scripts.set(recipient, behaviours),
    executions: (reference) => (executed.has(reference) ? 1 : 0),
    transferCode: (reference) => executed.get(reference)?.code,
    signed(payload) {
      const body = JSON.stringify(payload);
      return { body, signature: signWebhook(secretKey, body, "sha512") };
    },
    stop: party.stop,
    start: party.start,
  };
}
