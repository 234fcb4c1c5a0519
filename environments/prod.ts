/**
 * @module Production: highly available everywhere, PITR on every database, and the planned alert
 * autopilot set live (its rules are to ask a person before actions marked as needing approval).
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

const serviceResources = {
  requests: { cpu: "500m", memory: "512Mi" },
  limits: { cpu: "2", memory: "1Gi" },
};

function service(enabled: boolean) {
  return {
    enabled,
    image: breakwaterImage(release),
    minReplicas: 3,
    maxReplicas: 12,
    targetCpuUtilizationPercent: 65,
    resources: serviceResources,
    logLevel: "info" as const,
  };
}

function database(enabled: boolean) {
  return {
    enabled,
    instances: 3,
    storage: { size: "100Gi", storageClass: "ssd" },
    walStorage: { size: "50Gi", storageClass: "ssd" },
    resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "4", memory: "8Gi" } },
    backup: { pitr: true, schedule: "0 0 2 * * *", retention: "30d" },
    slowQueryMs: runbookAlertThresholds.slowQueryMs,
    maxConnections: 400,
  };
}

export const prod = {
  name: "prod",
  cluster: {
    name: "breakwater-prod",
    kubernetesVersion: "1.33",
    region: "europe-west1",
    nodePools: [
      { name: "system", machineType: "n2-standard-4", minNodes: 3, maxNodes: 5 },
      {
        name: "data",
        machineType: "n2-highmem-8",
        minNodes: 3,
        maxNodes: 6,
        labels: { "breakwater.dev/pool": "data" },
      },
      {
        name: "apps",
        machineType: "n2-standard-8",
        minNodes: 3,
        maxNodes: 12,
        labels: { "breakwater.dev/pool": "apps" },
      },
    ],
  },
  namespaces: {
    system: { name: "breakwater-system" },
    data: {
      name: "data-plane",
      quota: {
        requestsCpu: "48",
        requestsMemory: "192Gi",
        limitsCpu: "64",
        limitsMemory: "256Gi",
        pods: 100,
      },
    },
    services: {
      name: "breakwater-services",
      quota: {
        requestsCpu: "32",
        requestsMemory: "64Gi",
        limitsCpu: "96",
        limitsMemory: "128Gi",
        pods: 200,
      },
    },
    monitoring: { name: "monitoring" },
    gitops: { name: "argocd" },
  },
  gitops: { repoURL: "https://github.com/breakwater/breakwater.git", revision: "main" },
  images: { postgres: postgresImage, operator: breakwaterImage(release) },
  objectStore: {
    bucket: "breakwater-prod-postgres-backups",
    endpoint: "https://s3.eu-west-1.amazonaws.com",
    region: "eu-west-1",
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
        PSP_URL: "https://psp.invalid/api",
        AUTH_ISSUER: "https://identity.invalid",
        AUTH_AUDIENCE: "https://payments.prod.breakwater.invalid",
        AUTH_JWKS: "https://identity.invalid/.well-known/jwks.json",
      },
    },
    // Providers are data, not config: they live in purchasing's `providers` table and are
    // added with `PUT /v1/providers/{name}` (admin token, audited).
    purchasing: {
      ...service(true),
      config: {
        AUTH_ISSUER: "https://identity.invalid",
        AUTH_AUDIENCE: "https://purchasing.prod.breakwater.invalid",
        AUTH_JWKS: "https://identity.invalid/.well-known/jwks.json",
      },
    },
    // Symbols trade from the catalogue in services/exchange/symbols.ts; traders' funds are
    // rows of the kit's ledger, deposited with the admin token.
    exchange: {
      ...service(true),
      config: {
        EXCHANGE_SYMBOLS: "BTC-USD,ETH-USD",
        AUTH_ISSUER: "https://identity.invalid",
        AUTH_AUDIENCE: "https://exchange.prod.breakwater.invalid",
        AUTH_JWKS: "https://identity.invalid/.well-known/jwks.json",
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
        AUTH_ISSUER: "https://identity.invalid",
        AUTH_AUDIENCE: "https://escrow.prod.breakwater.invalid",
        AUTH_JWKS: "https://identity.invalid/.well-known/jwks.json",
      },
    },
    // The exchange's edge and the status page (environments/README.md, "services").
    "exchange-edge": { ...service(true), config: { EDGE_SYMBOLS: "BTC-USD,ETH-USD" } },
    "status-page": {
      ...service(true),
      config: { STATUS_PAGE_URL: "https://status.breakwater.example/" },
    },
  },
  operator: {
    replicas: 2,
    resources: {
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
    },
  },
  postgres: {
    payments: database(true),
    purchasing: database(true),
    exchange: database(true),
    escrow: database(true),
  },
  redis: {
    replicationSize: 3,
    sentinelSize: 3,
    storage: { size: "10Gi", storageClass: "ssd" },
    resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } },
    image: redisImage,
    sentinelImage: redisSentinelImage,
    exporterImage: redisExporterImage,
    // The handbook's secondary Redis cluster: a RedisFailover moves the services there.
    secondary: { service: "redis-secondary" },
  },
  redpanda: {
    brokers: 3,
    storage: { size: "200Gi", storageClass: "ssd" },
    resources: { cpuCores: 4, memory: "16Gi" },
    image: redpandaImage,
    topics: serviceTopics({ partitions: 12, replicationFactor: 3, retention: "14d" }),
  },
  alerts: runbookAlertThresholds,
  features: {
    autopilot: { enabled: true, dryRun: false },
    safeMigrations: true,
  },
  // The public hostnames behind the CDN. Replace the zone and the providers' edge hostnames with
  // this environment's; `cdnActiveProvider` in platform/Pulumi.prod.yaml switches providers.
  cdn: {
    zoneId: "Z04517273CDNPROD0001",
    hostnames: ["api.breakwater.example", "status.breakwater.example"],
    ttlSeconds: 60,
    primary: "cloudfront",
    providers: {
      cloudfront: { target: "d1prodexample.cloudfront.net" },
      fastly: { target: "breakwater-prod.global.ssl.fastly.net" },
    },
  },
  // Traces go to the Tempo distributor's OTLP/HTTP receiver in the monitoring namespace.
  tracing: {
    otlpEndpoint: "http://tempo-distributor.monitoring.svc.cluster.local:4318",
    namespace: "monitoring",
  },
} satisfies EnvironmentInput;
