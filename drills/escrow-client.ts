/**
 * @module Escrow as the drills use it on the running platform: its demo users sign in as a
 * person does (the password from their login file, then the authenticator's code), call its
 * API with the session, have the provider announce a payment (the sandbox signs it), and read
 * escrow's line on the status page.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { currentCode } from "../local/escrow-logins";
import type { Answer, PlatformClient } from "./platform-client";

async function post(url: string, body: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** A client of escrow's first replica (or `url`) for the platform's demo users. */
export function escrowClient(platform: PlatformClient) {
  const replicas = () => platform.replicas("escrow");
  return {
    replicas,
    /** The status page's component "Escrow releases in USD": operational, degraded, ... */
    async status(): Promise<string | undefined> {
      const summary = await platform.statusSummary();
      return (summary.body.components as { id: string; status: string }[]).find(
        (item) => item.id === "escrow:usd",
      )?.status;
    },
    /**
     * Sign `user` in (password, then code) at `url`; resolves the access token. A code is good
     * once: when this period's was used (a second login within 30 s), the next period's is sent.
     */
    async login(user: string, url = replicas()[0]!): Promise<string> {
      const files = platform.state.escrowLogins[user];
      if (!files) throw new Error(`no escrow login for ${user}`);
      const challenge = await post(
        `${url}/api/v1/auth/login`,
        JSON.parse(readFileSync(files.login, "utf8")),
      );
      if (challenge.status !== 200) throw new Error(`login ${user}: ${challenge.status}`);
      const otpauth = readFileSync(files.otpauth, "utf8");
      for (const offsetSteps of [0, 1, -1]) {
        const code = currentCode(otpauth, offsetSteps);
        const answer = await post(`${url}/api/v1/auth/otp`, {
          challengeId: challenge.body.challengeId,
          code,
        });
        if (answer.status === 200) return answer.body.accessToken as string;
        if (!String(answer.body?.detail).includes("used already"))
          throw new Error(`otp ${user}: ${answer.status} ${answer.body?.type}`);
      }
      throw new Error(`otp ${user}: every code of this minute was used`);
    },
    /** `method path` on escrow (`url` or the first replica) with `token`. */
    async call(
      token: string,
      method: string,
      path: string,
      body?: unknown,
      url = replicas()[0]!,
    ): Promise<Answer> {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": randomUUID(),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
    },
    /** The provider announces the buyer's payment of `transaction` (a signed webhook). */
    async pay(transaction: { paymentReference: string; amount: string; currency: string }) {
      const answer = await platform.sandbox("POST", "/paystack/charges", {
        reference: transaction.paymentReference,
        amount: Number(transaction.amount),
        currency: transaction.currency,
      });
      if (answer.status !== 200 || answer.body.escrow.status !== 200)
        throw new Error(`payment webhook: ${JSON.stringify(answer.body)}`);
    },
  };
}

export type EscrowClient = ReturnType<typeof escrowClient>;
