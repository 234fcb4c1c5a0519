/**
 * @module The services the local platform runs, one entry each: how many replicas, the
 * settings beyond the kit's common ones (test PSP, providers, customers' token issuer), the
 * control kinds the operator sends them, and what to seed once they are up. A new service
 * (the exchange, escrow) joins with one entry here and one in the status page's capabilities.
 */
import type { EnforcedKind } from "../operators/targets";
import { call, fundedWallet } from "../test/payments/payments-fixture";
import { cronSecret, fundWallet } from "../test/purchasing/purchasing-fixture";
import type { OutsideParties } from "./outside-parties";

/** What an entry's settings and seed may use. */
export interface LocalContext {
  readonly parties: OutsideParties;
  readonly adminToken: string;
  /** The admin kubeconfig (the status page lists controls with it). */
  readonly kubeconfig: string;
}

export interface LocalService {
  readonly name: string;
  readonly replicas: number;
  /** Kinds the operator sends this service (operators/targets.yaml's `enforces`). */
  readonly enforces: readonly EnforcedKind[];
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
} as const;

export const localServices: readonly LocalService[] = [
  {
    name: "payments",
    replicas: 2,
    enforces: ["WithdrawalHalt", "PayoutThrottle", "WebhookReplay"],
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
    enforces: ["ProviderDisable"],
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
    name: "status-page",
    replicas: 1,
    enforces: [],
    env: ({ kubeconfig }) => ({
      STATUS_KUBECONFIG: kubeconfig,
      STATUS_REFRESH_MS: "1000",
      STATUS_PAYOUT_CURRENCIES: Object.keys(seededAccounts.payouts).join(","),
      STATUS_PURCHASE_PROVIDERS: "a,b,c",
    }),
  },
];
