/**
 * @module Development: one of everything, small, backups to an in-cluster MinIO so restore
 * can be tried without cloud credentials (breakwater does not install that MinIO: provide it at
 * the endpoint below); the alert autopilot is set to dry-run.
 */
import { runbookAlertThresholds } from "./alert-thresholds";
import {
  breakwaterImage,
  postgresImage,
  redisExporterImage,
  redisImage,
  redisSentinelImage,
  redpandaImage,
} from "./images";
import type { EnvironmentInput } from "./schema";
import { serviceTopics } from "./topics";

const release = "0.1.0";

function service(enabled: boolean) {
  return {
    enabled,
    image: breakwaterImage(release),
    minReplicas: 1,
    maxReplicas: 2,
    targetCpuUtilizationPercent: 80,
    resources: {
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
    },
    logLevel: "debug" as const,
  };
}

function database(enabled: boolean) {
  return {
    enabled,
    instances: 1,
    storage: { size: "5Gi", storageClass: "standard" },
    walStorage: { size: "2Gi", storageClass: "standard" },
    resources: {
      requests: { cpu: "250m", memory: "512Mi" },
      limits: { cpu: "500m", memory: "512Mi" },
    },
    // PITR stays on in dev so the restore command can be practised end to end.
    backup: { pitr: true, schedule: "0 0 3 * * *", retention: "7d" },
    slowQueryMs: runbookAlertThresholds.slowQueryMs,
    maxConnections: 100,
  };
}

export const dev = {
  name: "dev",
  cluster: {
    name: "breakwater-dev",
    kubernetesVersion: "1.33",
    region: "europe-west1",
    nodePools: [{ name: "default", machineType: "e2-standard-4", minNodes: 1, maxNodes: 3 }],
  },
  namespaces: {
    system: { name: "breakwater-system" },
    data: { name: "data-plane" },
    services: { name: "breakwater-services" },
    monitoring: { name: "monitoring" },
    gitops: { name: "argocd" },
  },
  gitops: { repoURL: "https://github.com/breakwater/breakwater.git", revision: "main" },
  images: { postgres: postgresImage, operator: breakwaterImage(release) },
  objectStore: {
    bucket: "breakwater-dev-postgres-backups",
    endpoint: "http://minio.data-plane.svc.cluster.local:9000",
    region: "us-east-1",
    credentials: {
      secretName: "backup-object-store",
      accessKeyIdKey: "ACCESS_KEY_ID",
      secretAccessKeyKey: "ACCESS_SECRET_KEY",
    },
  },
  services: {
    // PSP_URL: replace with the payment provider's payout API for this environment;
    // AUTH_*: the identity provider whose access tokens callers present.
    payments: {
      ...service(true),
      config: {
        PSP_URL: "https://psp-sandbox.invalid/api",
        AUTH_ISSUER: "https://identity-dev.invalid",
        AUTH_AUDIENCE: "https://payments.dev.breakwater.invalid",
        AUTH_JWKS: "https://identity-dev.invalid/.well-known/jwks.json",
      },
    },
    // Providers are data, not config: they live in purchasing's `providers` table and are
    // added with `PUT /v1/providers/{name}` (admin token, audited).
    purchasing: {
      ...service(true),
      config: {
        AUTH_ISSUER: "https://identity-dev.invalid",
        AUTH_AUDIENCE: "https://purchasing.dev.breakwater.invalid",
        AUTH_JWKS: "https://identity-dev.invalid/.well-known/jwks.json",
      },
    },
    // Symbols trade from the catalogue in services/exchange/symbols.ts; traders' funds are
    // rows of the kit's ledger, deposited with the admin token.
    exchange: {
      ...service(true),
      config: {
        EXCHANGE_SYMBOLS: "BTC-USD,ETH-USD",
        AUTH_ISSUER: "https://identity-dev.invalid",
        AUTH_AUDIENCE: "https://exchange.dev.breakwater.invalid",
        AUTH_JWKS: "https://identity-dev.invalid/.well-known/jwks.json",
      },
    },
    // Paystack has one API host; its test and live modes are the secret key's
    // (escrow-paystack). Buyers and sellers log in with escrow's own password and OTP, or
    // present the identity provider's tokens; super admins always the latter.
    escrow: {
      ...service(true),
      config: {
        PAYSTACK_URL: "https://api.paystack.co",
        STUCK_ESCROW_DAYS: String(runbookAlertThresholds.stuckEscrowDays),
        RESOLUTION_APPROVAL_AMOUNT: "100000",
        AUTH_ISSUER: "https://identity-dev.invalid",
        AUTH_AUDIENCE: "https://escrow.dev.breakwater.invalid",
        AUTH_JWKS: "https://identity-dev.invalid/.well-known/jwks.json",
      },
    },
    // The exchange's edge and the status page (environments/README.md, "services").
    "exchange-edge": { ...service(true), config: { EDGE_SYMBOLS: "BTC-USD,ETH-USD" } },
    "status-page": {
      ...service(true),
      config: { STATUS_PAGE_URL: "https://status.dev.breakwater.invalid/" },
    },
  },
  operator: {
    // Two, like every environment: one leads, one stands by (the chart's PodDisruptionBudget
    // keeps one through a node drain).
    replicas: 2,
    resources: {
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { cpu: "250m", memory: "128Mi" },
    },
  },
  postgres: {
    payments: database(true),
    purchasing: database(true),
    exchange: database(true),
    escrow: database(true),
  },
  redis: {
    replicationSize: 2,
    sentinelSize: 1,
    storage: { size: "1Gi", storageClass: "standard" },
    resources: {
      requests: { cpu: "100m", memory: "256Mi" },
      limits: { cpu: "250m", memory: "256Mi" },
    },
    image: redisImage,
    sentinelImage: redisSentinelImage,
    exporterImage: redisExporterImage,
  },
  redpanda: {
    brokers: 1,
    storage: { size: "10Gi", storageClass: "standard" },
    resources: { cpuCores: 1, memory: "2Gi" },
    image: redpandaImage,
    topics: serviceTopics({ partitions: 3, replicationFactor: 1, retention: "3d" }),
  },
  alerts: runbookAlertThresholds,
  features: {
    autopilot: { enabled: true, dryRun: true },
    safeMigrations: true,
  },
  // Traces go to the Tempo distributor's OTLP/HTTP receiver in the monitoring namespace.
  tracing: {
    otlpEndpoint: "http://tempo-distributor.monitoring.svc.cluster.local:4318",
    namespace: "monitoring",
  },
} satisfies EnvironmentInput;
