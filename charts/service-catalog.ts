/**
 * @module What the charts know about each domain service beyond its sizes: its database and
 * the Secrets (by name and key only) it reads at start. Its topics are named in its code and
 * rendered from `environments/topics.ts`.
 */
import type { DatabaseName, Environment, ServiceName } from "../environments";
import type { EnforcedKind } from "../operators/targets";
import { payoutResolverClusterRole } from "../services/payments/admin-roles";
import { secretNames } from "./conventions";

export interface SecretKey {
  readonly name: string;
  readonly key: string;
  /** Absent except while the Secret rotates (`npm run secrets`). */
  readonly optional?: boolean;
}

export interface ServiceEntry {
  readonly database: DatabaseName;
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
}

export const serviceCatalog: Readonly<Record<ServiceName, ServiceEntry>> = {
  payments: {
    database: "payments",
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
    database: "purchasing",
    // Guards POST /api/cron/reconcile (seed 001).
    secrets: { CRON_SECRET: { name: "purchasing-cron", key: "secret" } },
    callsProviders: true,
    enforces: ["ProviderDisable", "SessionRevocation", "RedisFailover"],
  },
  exchange: {
    database: "exchange",
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
    database: "escrow",
    // The provider's secret key (transfers and the webhooks' HMAC-SHA512) and the credential
    // vault's pepper, which is backed up outside the database (runbooks/escrow).
    secrets: {
      PAYSTACK_SECRET_KEY: { name: "escrow-paystack", key: "secret-key" },
      VAULT_PEPPER: { name: "escrow-vault", key: "pepper" },
    },
    callsProviders: true,
    enforces: ["EscrowResolution", "SessionRevocation"],
  },
};

/** Whether the service's database has replicas beside its primary (CloudNativePG's `-ro`). */
export function hasReadReplicas(environment: Environment, name: ServiceName): boolean {
  return environment.postgres[serviceCatalog[name].database].instances > 1;
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
