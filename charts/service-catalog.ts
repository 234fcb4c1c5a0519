/**
 * @module What the charts know about each service beyond its sizes: the Secrets (by name and
 * key only) it reads at start, the services it calls, the controls it enforces and the RBAC it
 * needs. Its database is `serviceDatabases` (environments/schema.ts); its topics are named in
 * its code and rendered from `environments/topics.ts`.
 */
import { type Environment, type ServiceName, serviceDatabases } from "../environments";
import type { EnforcedKind } from "../operators/targets";
import { payoutResolverClusterRole } from "../services/payments/admin-roles";
import { inCluster } from "../services/status-page/config";
import { controlsReaderClusterRole } from "../services/status-page/controls-reader-role";
import { secretNames, serviceHost, servicePort } from "./conventions";

export interface SecretKey {
  readonly name: string;
  readonly key: string;
  /** Absent except while the Secret rotates (`npm run secrets`). */
  readonly optional?: boolean;
}

export interface ServiceEntry {
  /** Secret environment variables beyond the ones every service reads. */
  readonly secrets: Readonly<Record<string, SecretKey>>;
  /** Calls providers outside the cluster over HTTPS (PSPs, purchasing providers, Paystack). */
  readonly callsProviders: boolean;
  /** The control kinds the service enforces (the operator's targets). */
  readonly enforces: readonly EnforcedKind[];
  /** The ClusterRoles people are bound to for the service's admin endpoints (RBAC decides). */
  readonly adminRoles?: readonly Record<string, unknown>[];
  /**
   * Its replicas call each other at their pod IPs (the exchange forwards a symbol's orders to
   * the replica that sequences it): POD_IP is set and egress to the services' port allowed.
   */
  readonly callsPeerReplicas?: boolean;
  /** Services it calls in the cluster: egress to their pods on the service port. */
  readonly calls?: readonly ServiceName[];
  /** Settings derived from the environment (in-cluster URLs), beside `services.<name>.config`. */
  readonly config?: (environment: Environment) => Readonly<Record<string, string>>;
  /**
   * Whether people use its admin endpoints, reviewed by the API server (TokenReview,
   * SubjectAccessReview as `system:auth-delegator`). @default true
   */
  readonly reviewsPeople?: boolean;
  /** ClusterRoles bound to its own ServiceAccount: the Kubernetes objects it reads. */
  readonly ownRoles?: readonly Record<string, unknown>[];
}

export const serviceCatalog: Readonly<Record<ServiceName, ServiceEntry>> = {
  payments: {
    // Verifies X-Webhook-Signature on PSP deposits (seed 000).
    secrets: {
      WEBHOOK_SECRET: { name: "payments-webhook", key: "secret" },
      WEBHOOK_SECRET_NEXT: { name: "payments-webhook", key: "next", optional: true },
    },
    callsProviders: true,
    enforces: [
      "WithdrawalHalt",
      "PayoutThrottle",
      "ReadOnlyMode",
      "WebhookReplay",
      "SessionRevocation",
      "RedisFailover",
    ],
    adminRoles: [payoutResolverClusterRole()],
  },
  purchasing: {
    // Guards POST /api/cron/reconcile (seed 001).
    secrets: { CRON_SECRET: { name: "purchasing-cron", key: "secret" } },
    callsProviders: true,
    enforces: ["ProviderDisable", "SessionRevocation", "RedisFailover"],
  },
  exchange: {
    secrets: {},
    callsProviders: false,
    enforces: [
      "SymbolMode",
      "OrderThrottle",
      "WithdrawalHalt",
      "CancelAll",
      "SettlementReplay",
      "SessionRevocation",
      "RedisFailover",
    ],
    callsPeerReplicas: true,
  },
  escrow: {
    // The provider's secret key (transfers and the webhooks' HMAC-SHA512) and the credential
    // vault's pepper, which is backed up outside the database (runbooks/escrow).
    secrets: {
      PAYSTACK_SECRET_KEY: { name: "escrow-paystack", key: "secret-key" },
      VAULT_PEPPER: { name: "escrow-vault", key: "pepper" },
    },
    callsProviders: true,
    enforces: ["EscrowResolution", "SessionRevocation"],
  },
  "exchange-edge": {
    // Orders are forwarded to the core with a token of its issuer (scopes `orders:write` and
    // `orders:on-behalf`); API keys' secrets are derived from the master, never stored.
    secrets: {
      EXCHANGE_ORDERS_TOKEN: { name: "exchange-edge-orders", key: "token" },
      EDGE_API_KEY_MASTER: { name: "exchange-edge-api-keys", key: "master" },
    },
    callsProviders: false,
    enforces: ["EdgeDegradation"],
    calls: ["exchange"],
    config: (environment) => ({
      EXCHANGE_ORDERS_URL: `http://${serviceHost("exchange", environment.namespaces.services.name)}:${servicePort}/v1/orders`,
    }),
  },
  "status-page": {
    secrets: {},
    callsProviders: false,
    enforces: [],
    // Only the operator's token reaches its admin endpoints; its ServiceAccount reads the
    // controls in force and nothing else.
    reviewsPeople: false,
    ownRoles: [controlsReaderClusterRole()],
    config: () => ({ STATUS_KUBECONFIG: inCluster }),
  },
};

/** Whether the service's database has replicas beside its primary (CloudNativePG's `-ro`). */
export function hasReadReplicas(environment: Environment, name: ServiceName): boolean {
  return environment.postgres[serviceDatabases[name]].instances > 1;
}

/** The key of `<service>-database` holding the URL of the read replicas (CloudNativePG's `-ro`). */
export const readOnlyUriKey = "ro-uri";

/** The key of `redis-url` holding the URL of the secondary Redis (`REDIS_SECONDARY`). */
export const secondaryRedisUrlKey = "secondary-url";

/**
 * The Secrets every service reads, by environment variable; `DB_READONLY_ENDPOINT` where its
 * database has replicas to read from, `REDIS_SECONDARY` where the environment has a secondary
 * Redis.
 */

export function commonSecrets(
  service: ServiceName,
  readReplicas = false,
  secondaryRedis = false,
): Record<string, SecretKey> {
  return {
    DATABASE_URL: { name: secretNames.databaseUrl(service), key: "uri" },
    ...(readReplicas
      ? { DB_READONLY_ENDPOINT: { name: secretNames.databaseUrl(service), key: readOnlyUriKey } }
      : {}),
    ADMIN_TOKEN: { name: secretNames.adminToken(service), key: "token" },
    // Present while the token rotates (`npm run secrets`): both values are accepted.
    ADMIN_TOKEN_NEXT: { name: secretNames.adminToken(service), key: "next", optional: true },
    // The URL carries the Redis AUTH password, so it is a Secret, not config.
    REDIS_URL: { name: secretNames.redisUrl, key: "url" },
    // Where the environment has a secondary Redis for a RedisFailover to move to.
    ...(secondaryRedis
      ? { REDIS_SECONDARY: { name: secretNames.redisUrl, key: secondaryRedisUrlKey } }
      : {}),
    KAFKA_SASL_PASSWORD: { name: secretNames.kafkaUser(service), key: "password" },
  };
}
