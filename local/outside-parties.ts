/**
 * @module The outside parties of the local platform, as the harness's real HTTP servers: the
 * PSP payments pays out through, the purchasing providers a, b and c, escrow's Paystack-style
 * provider, a pager that records what Alertmanager pages, and the identity provider that signs
 * customers' and traders' tokens (one issuer per service audience).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { exchangeScopes } from "../services/exchange/exchange-context";
import { type PaystackServer, startPaystackServer } from "../test/escrow/paystack-server";
import {
  type OutsideParty,
  readBody,
  sendJson,
  startOutsideParty,
} from "../test/harness/outside-party";
import { createTokenIssuer, type TokenIssuer } from "../test/kit/token-issuer";
import { testIssuer } from "../test/payments/payments-fixture";
import { type PspServer, startPspServer } from "../test/payments/psp-server";
import { type ProviderServer, startProviderServer } from "../test/purchasing/provider-server";

/** One page Alertmanager sent (PagerDuty's events API v2). */
export interface Page {
  readonly event_action?: string;
  readonly payload?: { summary?: string; custom_details?: Record<string, unknown> };
  readonly receivedAt: string;
}

export interface OutsideParties {
  readonly psp: PspServer;
  readonly providers: Readonly<Record<string, ProviderServer>>;
  /** Escrow's provider: takes seller transfers and signs the payment webhooks it sends. */
  readonly paystack: PaystackServer;
  readonly pager: OutsideParty;
  readonly pages: readonly Page[];
  /** The issuer of customers' tokens for each service that checks them. */
  readonly issuers: Readonly<Record<string, TokenIssuer>>;
  /** The exchange edge's token for the core: it places orders for the traders its keys name. */
  readonly edgeOrdersToken: string;
  stop(): Promise<void>;
}

/** The providers purchasing routes to, in priority order. */
export const providerNames = ["a", "b", "c"] as const;

/** Start every outside party on a free loopback port. */
export async function startOutsideParties(): Promise<OutsideParties> {
  const pages: Page[] = [];
  const pager = await startOutsideParty(async function page(
    request: IncomingMessage,
    response: ServerResponse,
  ) {
    const body = JSON.parse(await readBody(request)) as Omit<Page, "receivedAt">;
    pages.push({ ...body, receivedAt: new Date().toISOString() });
    sendJson(response, 202, { status: "success" });
  });
  const [psp, paystack, payments, purchasing, exchange, escrow, ...providers] = await Promise.all([
    startPspServer({ holdMs: 30_000 }),
    // A fresh secret key per start: it signs the webhooks, so none outlives the platform.
    startPaystackServer(`sk_local_${randomBytes(24).toString("base64url")}`),
    testIssuer(),
    createTokenIssuer(
      "https://identity.test.breakwater.dev",
      "https://purchasing.test.breakwater.dev",
    ),
    createTokenIssuer(
      "https://identity.test.breakwater.dev",
      "https://exchange.test.breakwater.dev",
    ),
    createTokenIssuer("https://identity.test.breakwater.dev", "https://escrow.test.breakwater.dev"),
    ...providerNames.map((name) => startProviderServer(name)),
  ]);
  const edgeOrdersToken = await exchange.token("exchange-edge", [
    exchangeScopes.ordersWrite,
    exchangeScopes.ordersOnBehalf,
  ]);
  return {
    psp,
    paystack,
    edgeOrdersToken,
    providers: Object.fromEntries(providers.map((provider) => [provider.name, provider])),
    pager,
    pages,
    issuers: { payments, purchasing, exchange, escrow },
    async stop() {
      await Promise.all([
        psp.stop(),
        paystack.stop(),
        pager.stop(),
        ...providers.map((provider) => provider.stop()),
      ]);
    },
  };
}
