/**
 * @module The services the local platform runs, one entry each: how many replicas, the
 * settings beyond the kit's common ones (test PSP, providers, customers' token issuer) and what
 * to seed once they are up. The control kinds the operator sends each are those of
 * operators/targets.yaml, as in a cluster. A new service joins with one entry here and one
 * in the status page's capabilities.
 */
import { randomBytes } from "node:crypto";
import { call, fundedWallet } from "../test/payments/payments-fixture";
import { cronSecret, fundWallet } from "../test/purchasing/purchasing-fixture";
import { registerEscrowUsers } from "./escrow-logins";
import type { OutsideParties } from "./outside-parties";

/** What an entry's settings and seed may use. */
export interface LocalContext {
  readonly parties: OutsideParties;
  readonly adminToken: string;
  /** The admin kubeconfig (the status page lists controls with it). */
  readonly kubeconfig: string;
  /** The replica URLs of every service started before this one (the edge calls the core). */
  readonly replicaUrls: Readonly<Record<string, readonly string[]>>;
}

export interface LocalService {
  readonly name: string;
  readonly replicas: number;
  env(context: LocalContext): Record<string, string>;
  /** Data a first-time user needs to try it (wallets, providers); `url` is a replica. */
  seed?(url: string, context: LocalContext): Promise<void>;
}

/** Short loops so that a drill sees effects in seconds, not minutes. */
const fastLoops = {
  CONTROLS_RELOAD_MS: "500",
  OUTBOX_RELAY_INTERVAL_MS: "500",
  SHUTDOWN_GRACE_MS: "2000",
};

/** Wallets the drills and the quick start pay out from and buy with. */
export const seededAccounts = {
  payouts: { BTC: "users:treasury:btc", ETH: "users:treasury:eth" },
  purchases: "shopper",
  /** Two traders funded in every asset, so that one can take the other's order at once. */
  traders: ["demo-buyer", "demo-seller"],
  /** Escrow's demo users, who log in with a password and a code (local/escrow-logins.ts). */
  escrowUsers: ["demo-buyer", "demo-seller"],
} as const;

/** The currency escrow's listings are priced in, and the status page's escrow item. */
export const escrowCurrency = "USD";

/** The symbols the local exchange trades and its edge serves. */
export const tradedSymbols = ["BTC-USD", "ETH-USD"] as const;

/** What each demo trader holds at start, in minor units: 1,000,000 USD, 100 BTC, 1,000 ETH. */
const traderFunds = {
  USD: 100_000_000n,
  BTC: 10_000_000_000n,
  ETH: 1_000_000_000_000n,
} as const;

/** The edge's API keys derive from this; a fresh one per start, so no key outlives it. */
const edgeKeyMaster = randomBytes(32).toString("base64url");

/** Escrow's credential vault pepper; a fresh one per start, like every local secret. */
const vaultPepper = randomBytes(32).toString("base64url");

export const localServices: readonly LocalService[] = [
  {
    name: "payments",
    replicas: 2,
    env: ({ parties }) => ({
      ...parties.issuers.payments!.env,
      ...fastLoops,
      PSP_URL: parties.psp.url,
      PSP_TIMEOUT_MS: "2000",
      WEBHOOK_SECRET: "webhook-secret-for-tests-0123456789",
      PAYOUT_INTERVAL_MS: "500",
      RECONCILIATION_INTERVAL_MS: "2000",
    }),
    async seed(url) {
      for (const [currency, account] of Object.entries(seededAccounts.payouts))
        await fundedWallet(url, account, 1_000_000_000n, currency);
    },
  },
  {
    name: "purchasing",
    replicas: 2,
    env: ({ parties }) => ({
      ...parties.issuers.purchasing!.env,
      ...fastLoops,
      CRON_SECRET: cronSecret,
      PROVIDER_TIMEOUT_MS: "2000",
      PROVIDERS_RELOAD_MS: "500",
      // Seed 001's breaker holds OPEN for 15 s; locally 3 s, so flapping shows within a drill.
      BREAKER_OPEN_MS: "3000",
      BREAKER_CONSECUTIVE_FAILURES: "3",
      RECONCILE_INTERVAL_MS: "10000",
    }),
    async seed(url, { parties, adminToken }) {
      const providers = Object.values(parties.providers);
      for (const [index, provider] of providers.entries()) {
        const stored = await call(
          url,
          "PUT",
          `/v1/providers/${provider.name}`,
          { priority: (index + 1) * 10, settings: { url: provider.url } },
          { authorization: `Bearer ${adminToken}` },
        );
        if (stored.status !== 200) throw new Error(`provider ${provider.name}: ${stored.status}`);
      }
      await fundWallet(url, seededAccounts.purchases, 1_000_000_000n);
    },
  },
  {
    name: "exchange",
    // Each replica runs the settlement consumer and the invariant checker as workers.
    replicas: 2,
    env: ({ parties }) => ({
      ...parties.issuers.exchange!.env,
      ...fastLoops,
      EXCHANGE_SYMBOLS: tradedSymbols.join(","),
      // Every 2 s instead of 30 s, so an invariant violation alerts within a drill's seconds.
      EXCHANGE_INVARIANT_CHECK_MS: "2000",
    }),
    async seed(url, { adminToken }) {
      for (const trader of seededAccounts.traders)
        for (const [asset, amount] of Object.entries(traderFunds)) {
          const deposited = await call(
            url,
            "POST",
            `/v1/accounts/${trader}/deposits`,
            { asset, amount: amount.toString(), reference: `local-seed:${trader}:${asset}` },
            { authorization: `Bearer ${adminToken}` },
          );
          if (deposited.status !== 201 && deposited.status !== 200)
            throw new Error(`deposit ${asset} to ${trader}: ${deposited.status}`);
        }
    },
  },
  {
    name: "exchange-edge",
    replicas: 1,
    env: ({ replicaUrls, parties }) => ({
      ...fastLoops,
      EDGE_SYMBOLS: tradedSymbols.join(","),
      EXCHANGE_ORDERS_TOKEN: parties.edgeOrdersToken,
      EDGE_API_KEY_MASTER: edgeKeyMaster,
      EXCHANGE_ORDERS_URL: `${replicaUrls.exchange![0]}/v1/orders`,
    }),
  },
  {
    name: "escrow",
    replicas: 2,
    env: ({ parties }) => ({
      ...parties.issuers.escrow!.env,
      ...fastLoops,
      PAYSTACK_URL: parties.paystack.url,
      PAYSTACK_SECRET_KEY: parties.paystack.secretKey,
      PAYSTACK_TIMEOUT_MS: "2000",
      VAULT_PEPPER: vaultPepper,
      ESCROW_CURRENCY: escrowCurrency,
      PAYOUT_INTERVAL_MS: "500",
      // Seed 004's 7 days stay; the recount runs every second so a drill sees a stuck one at once.
      STUCK_SCAN_INTERVAL_MS: "1000",
    }),
    async seed(url) {
      await registerEscrowUsers(url, seededAccounts.escrowUsers);
    },
  },
  {
    name: "status-page",
    replicas: 1,
    env: ({ kubeconfig }) => ({
      STATUS_KUBECONFIG: kubeconfig,
      STATUS_REFRESH_MS: "1000",
      STATUS_PAYOUT_CURRENCIES: Object.keys(seededAccounts.payouts).join(","),
      STATUS_PURCHASE_PROVIDERS: "a,b,c",
      STATUS_TRADING_SYMBOLS: tradedSymbols.join(","),
      STATUS_ESCROW_CURRENCIES: escrowCurrency,
    }),
  },
];
