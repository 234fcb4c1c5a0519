/**
 * @module The zod schema of one environment's configuration: what `npm run synth` and the
 * Pulumi programs read, checked once at load so a wrong value never reaches a cluster.
 */
import { z } from "zod";

/** The environments breakwater renders, in promotion order. */
export const environmentNames = ["dev", "staging", "prod"] as const;
export type EnvironmentName = (typeof environmentNames)[number];

/**
 * The services an environment may run, each enabled per environment (`services.<name>`): the
 * four domain services, the exchange's edge (seed 002) and the status page.
 */
export const serviceNames = [
  "payments",
  "purchasing",
  "exchange",
  "escrow",
  "exchange-edge",
  "status-page",
] as const;
export type ServiceName = (typeof serviceNames)[number];

/** One PostgreSQL cluster per domain, named after it (`postgres.<domain>`). */
export const databaseNames = ["payments", "purchasing", "exchange", "escrow"] as const;
export type DatabaseName = (typeof databaseNames)[number];

/**
 * The database each service keeps its tables in (DATABASE_URL). The kit scopes every table a
 * service shares a database with (migrations by scope, controls by service), so the edge
 * keeps its API keys in the exchange's database, backed up with it, and the status page its
 * small incident history there too: neither owns a cluster of its own.
 */
export const serviceDatabases: Readonly<Record<ServiceName, DatabaseName>> = {
  payments: "payments",
  purchasing: "purchasing",
  exchange: "exchange",
  escrow: "escrow",
  "exchange-edge": "exchange",
  "status-page": "exchange",
};

const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Kubernetes resource quantities as the API accepts them for CPU, memory and storage.
const cpuPattern = /^([1-9][0-9]*m|[0-9]+(\.[0-9]+)?)$/;
const bytesPattern = /^[1-9][0-9]*(Ki|Mi|Gi|Ti)$/;
const cronPattern = /^(\S+\s+){5}\S+$/;
/** Kubernetes CronJob's five fields: minute hour day-of-month month day-of-week. */
const fiveFieldCronPattern = /^(\S+\s+){4}\S+$/;
const retentionPattern = /^[1-9][0-9]*[dwm]$/;
const digestPattern = /^sha256:[a-f0-9]{64}$/;
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function count(minimum: number) {
  return z
    .number({ error: `expected a number ≥ ${minimum}` })
    .int({ error: `expected a whole number ≥ ${minimum}` })
    .min(minimum, { error: `expected a number ≥ ${minimum}` });
}

function positive() {
  return z.number({ error: "expected a number > 0" }).positive({ error: "expected a number > 0" });
}

function ratio() {
  return z
    .number({ error: "expected a ratio between 0 and 1" })
    .gt(0, { error: "expected a ratio between 0 and 1" })
    .lte(1, { error: "expected a ratio between 0 and 1" });
}

function matching(pattern: RegExp, expected: string) {
  return z
    .string({ error: `expected ${expected}` })
    .regex(pattern, { error: `expected ${expected}` });
}

const dnsLabel = () => matching(dnsLabelPattern, "a lowercase DNS label like `data-plane`");
const cpu = () => matching(cpuPattern, "a CPU quantity like `250m` or `2`");
const bytes = () => matching(bytesPattern, "a size like `512Mi` or `20Gi`");
const retention = () => matching(retentionPattern, "a retention like `30d`, `8w` or `3m`");

/** A container image pinned by tag (never `latest`) and, where known, by digest. */
export const imageSchema = z.object({
  repository: z
    .string({ error: "expected an image repository like `ghcr.io/breakwater/breakwater`" })
    .regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)+$/, {
      error: "expected an image repository like `ghcr.io/breakwater/breakwater` (no tag)",
    }),
  tag: matching(tagPattern, "an image tag like `1.4.2`").refine((tag) => tag !== "latest", {
    error: "expected a pinned tag, not `latest`",
  }),
  digest: matching(digestPattern, "a digest like `sha256:<64 hex digits>`").optional(),
});
export type Image = z.infer<typeof imageSchema>;

const resourceListSchema = z.object({ cpu: cpu(), memory: bytes() });

/** Requests and limits of one container; both are required so no pod is unbounded. */
export const resourcesSchema = z.object({
  requests: resourceListSchema,
  limits: resourceListSchema,
});
export type Resources = z.infer<typeof resourcesSchema>;

const nodePoolSchema = z.object({
  name: dnsLabel(),
  machineType: z.string().min(1, { error: "expected a machine type like `n2-standard-4`" }),
  minNodes: count(0),
  maxNodes: count(1),
  /** Node labels the pool carries, used by workloads that pin themselves to it. */
  labels: z.record(z.string(), z.string()).default({}),
});

const clusterSchema = z.object({
  name: dnsLabel(),
  kubernetesVersion: matching(/^1\.[0-9]+(\.[0-9]+)?$/, "a Kubernetes version like `1.33`"),
  region: z.string().min(1, { error: "expected a region like `europe-west1`" }),
  nodePools: z.array(nodePoolSchema).min(1, { error: "expected at least one node pool" }),
});

const quotaSchema = z.object({
  requestsCpu: cpu(),
  requestsMemory: bytes(),
  limitsCpu: cpu(),
  limitsMemory: bytes(),
  pods: count(1),
});

const namespaceSchema = z.object({ name: dnsLabel(), quota: quotaSchema.optional() });

/** The namespaces breakwater uses; the operator's is fixed by its ServiceAccount name. */
const namespacesSchema = z.object({
  /** The operator and its CRDs' controller. */
  system: namespaceSchema,
  /** PostgreSQL, Redis and Redpanda (the runbooks say `kubectl get pods -n data-plane`). */
  data: namespaceSchema,
  /** The domain services. */
  services: namespaceSchema,
  /** Prometheus, Alertmanager and Grafana, which scrape the services. */
  monitoring: namespaceSchema,
  /** Argo CD, which syncs `rendered/<env>/`. */
  gitops: namespaceSchema,
});

/**
 * An object whose keys are exactly `shape`'s: a misspelt one is refused with the choices,
 * never silently dropped (a service left out of `services` would simply not be deployed).
 */
function knownNames<Shape extends z.ZodRawShape>(what: string, shape: Shape) {
  const names = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown ${what} ${issue.keys.map((key) => `\`${key}\``).join(", ")}; expected one of ${names}`
        : undefined,
  });
}

const serviceSchema = z.object({
  enabled: z.boolean({ error: "expected true or false" }),
  image: imageSchema,
  /** HorizontalPodAutoscaler bounds; `minReplicas` is also the Deployment's replica count. */
  minReplicas: count(1),
  maxReplicas: count(1),
  targetCpuUtilizationPercent: count(1).max(100, { error: "expected a percentage ≤ 100" }),
  resources: resourcesSchema,
  logLevel: z.enum(["debug", "info", "warn", "error"], {
    error: "expected one of debug, info, warn, error",
  }),
  /** Extra non-secret settings passed to the service through its ConfigMap. */
  config: z.record(z.string(), z.string()).default({}),
});
export type Service = z.infer<typeof serviceSchema>;

const objectStoreSchema = z.object({
  bucket: matching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name"),
  endpoint: z.url({ error: "expected an https URL like `https://s3.eu-west-1.amazonaws.com`" }),
  region: z.string().min(1, { error: "expected a region" }),
  /**
   * The Secret (in the data namespace) holding the object store's access keys. Pulumi creates
   * it from Pulumi secrets; git only ever names it.
   */
  credentials: z.object({
    secretName: dnsLabel(),
    accessKeyIdKey: z.string().min(1),
    secretAccessKeyKey: z.string().min(1),
  }),
});
export type ObjectStore = z.infer<typeof objectStoreSchema>;

const postgresSchema = z.object({
  enabled: z.boolean({ error: "expected true or false" }),
  instances: count(1),
  storage: z.object({ size: bytes(), storageClass: dnsLabel() }),
  walStorage: z.object({ size: bytes(), storageClass: dnsLabel() }),
  resources: resourcesSchema,
  /** Point-in-time recovery: WAL archiving plus scheduled base backups to the object store. */
  backup: z.object({
    pitr: z.boolean({ error: "expected true or false" }),
    /** Six-field cron (seconds first), as CloudNativePG's ScheduledBackup expects. */
    schedule: matching(cronPattern, "a six-field cron like `0 0 2 * * *`"),
    retention: retention(),
  }),
  /** Statement time above which a query is logged as slow (seed 003: 200 ms). */
  slowQueryMs: count(1),
  maxConnections: count(10),
});
export type Postgres = z.infer<typeof postgresSchema>;

const redisSchema = z.object({
  /** Pods in the RedisReplication: one primary plus replicas. */
  replicationSize: count(1),
  /** RedisSentinel pods watching the replication; 3 or more for a quorum. */
  sentinelSize: count(1),
  storage: z.object({ size: bytes(), storageClass: dnsLabel() }),
  resources: resourcesSchema,
  image: imageSchema,
  sentinelImage: imageSchema,
  exporterImage: imageSchema,
  /**
   * The handbook's secondary Redis cluster, which a RedisFailover moves the services to: its
   * Service in the data namespace. Absent: the services have no REDIS_SECONDARY and refuse
   * a RedisFailover.
   */
  secondary: z.object({ service: dnsLabel() }).optional(),
});
export type Redis = z.infer<typeof redisSchema>;

const topicSchema = z.object({
  name: matching(/^[a-z0-9][a-z0-9._-]*$/, "a topic name like `payments.events`"),
  partitions: count(1),
  replicationFactor: count(1),
  retention: z.union([retention(), z.literal("forever")], {
    error: "expected a retention like `7d` or `forever`",
  }),
  cleanupPolicy: z.enum(["delete", "compact"], { error: "expected delete or compact" }),
});
export type Topic = z.infer<typeof topicSchema>;

const redpandaSchema = z.object({
  brokers: count(1),
  storage: z.object({ size: bytes(), storageClass: dnsLabel() }),
  resources: z.object({ cpuCores: count(1), memory: bytes() }),
  image: imageSchema,
  topics: z.array(topicSchema).min(1, { error: "expected at least one topic" }),
});
export type Redpanda = z.infer<typeof redpandaSchema>;

/** Alert thresholds; the defaults come from the runbooks in seeds 000–004. */
const alertsSchema = z.object({
  /** Settlement lag p99 above T2 throttles new orders, above T3 soft-halts (seed 002). */
  settlementLag: z.object({ t2ThrottleSeconds: positive(), t3HaltSeconds: positive() }),
  /** `HighPurchaseFailureRate` fires above this share of failed purchases (seed 001: 10%). */
  purchaseFailureRatio: ratio(),
  /** `StuckReservations` fires above this many pending reservations (seed 001: 50). */
  stuckReservationsCount: count(1),
  /** Outbox events retried more than this many times need a person (seed 001: 5). */
  outboxRetryCountMax: count(1),
  /** PostgreSQL replication lag (seed 003: < 100 ms). */
  replicationLagMs: count(1),
  /** Slow query threshold (seed 003: < 200 ms). */
  slowQueryMs: count(1),
  /** HTTP 5xx share (seed 004: 5%; seed 001 SEV-2 above 5%). */
  errorRatio: ratio(),
  /** p95 latency warning (seed 004: 500 ms). */
  latencyP95Ms: count(1),
  /** Latency at which it becomes a SEV-2 (seed 001: 5 s). */
  latencySevereMs: count(1),
  /** Database errors per minute (seed 004: 5). */
  databaseErrorsPerMinute: count(1),
  /** OTP delivery success below this ratio warns (seed 004: 95%). */
  otpSuccessRatioMin: ratio(),
  /** Manual review queue non-empty for this long during business hours (seed 000: 15m). */
  manualReviewQueueMinutes: count(1),
  /** Window for any ledger imbalance increase (seed 000: 5m). */
  ledgerImbalanceWindowMinutes: count(1),
  /**
   * How far back the exchange's invariant-violation and split-brain alerts look for a new
   * finding (seed 002 §3.1, §3.3; breakwater's choice: 5m, ten runs of the 30 s checker). An
   * alert resolves this long after the last finding.
   */
  exchangeSignalWindowMinutes: count(1),
  /** Reconciliation worker failing for this long (seed 000: 1h). */
  reconciliationFailedMinutes: count(1),
  /** Escrow transactions stuck longer than this need a super admin (seed 004: 7 days). */
  stuckEscrowDays: count(1),
});
export type AlertThresholds = z.infer<typeof alertsSchema>;

const featuresSchema = z.object({
  /** For the alert autopilot (controls from alerts; in dry-run it only records them). */
  autopilot: z.object({
    enabled: z.boolean({ error: "expected true or false" }),
    dryRun: z.boolean({ error: "expected true or false" }),
  }),
  /** Migrations must be backward compatible and run before the rollout (seed 003). */
  safeMigrations: z.boolean({ error: "expected true or false" }),
  /**
   * The restore rehearsal (seeds 002, 004): when set, a CronJob recovers a copy of every PITR
   * database from its backups on this schedule, checks it and deletes it.
   */
  restoreRehearsal: z
    .object({ schedule: matching(fiveFieldCronPattern, "a five-field cron like `0 4 * * 1`") })
    .optional(),
});

const hostnamePattern = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const hostname = () =>
  matching(hostnamePattern, "a fully qualified lowercase hostname like `pay.example.com`");

/**
 * The CDN in front of the public hostnames: each name is a CNAME to the edge hostname of the
 * provider in use. The platform program points them at `primary` unless the stack's Pulumi
 * config `cdnActiveProvider` names another provider (the handbook's CDN outage switch).
 */
const cdnSchema = z.object({
  /** The Route 53 hosted zone that holds the public hostnames. */
  zoneId: matching(/^Z[A-Z0-9]{1,31}$/, "a Route 53 hosted zone id like `Z0123456789ABCDEFGHIJ`"),
  hostnames: z.array(hostname()).min(1, { error: "expected at least one hostname" }),
  /** How long resolvers keep a CNAME: the longest a switch takes to reach every client. */
  ttlSeconds: count(30),
  /** The provider the hostnames point at when the stack names none. */
  primary: dnsLabel(),
  /** Each provider's edge hostname, by provider name (e.g. `cloudfront`, `fastly`). */
  providers: z.record(dnsLabel(), z.object({ target: hostname() })),
});
export type Cdn = z.infer<typeof cdnSchema>;

const gitopsSchema = z.object({
  repoURL: z.url({ error: "expected the git URL Argo CD pulls from" }),
  revision: z.string().min(1, { error: "expected a branch, tag or commit" }),
});

/**
 * Where the services and the operator send their traces (seed 003: OpenTelemetry via Tempo):
 * the Tempo distributor's OTLP/HTTP receiver. The charts render it as
 * `OTEL_EXPORTER_OTLP_ENDPOINT` and allow egress to its namespace and port.
 */
const tracingSchema = z.object({
  otlpEndpoint: z.url({
    protocol: /^https?$/,
    error: "expected an http(s) URL like `http://tempo-distributor.monitoring:4318`",
  }),
  /** The namespace the distributor runs in. */
  namespace: dnsLabel(),
});
export type Tracing = z.infer<typeof tracingSchema>;

const platformImagesSchema = z.object({
  postgres: imageSchema,
  operator: imageSchema,
});

export const environmentSchema = z
  .object({
    name: z.enum(environmentNames, { error: "expected dev, staging or prod" }),
    cluster: clusterSchema,
    namespaces: namespacesSchema,
    gitops: gitopsSchema,
    images: platformImagesSchema,
    objectStore: objectStoreSchema,
    services: knownNames(
      "service",
      Object.fromEntries(serviceNames.map((name) => [name, serviceSchema])) as Record<
        ServiceName,
        typeof serviceSchema
      >,
    ),
    operator: z.object({ replicas: count(1), resources: resourcesSchema }),
    postgres: knownNames(
      "database",
      Object.fromEntries(databaseNames.map((name) => [name, postgresSchema])) as Record<
        DatabaseName,
        typeof postgresSchema
      >,
    ),
    redis: redisSchema,
    redpanda: redpandaSchema,
    alerts: alertsSchema,
    features: featuresSchema,
    /** Absent where nothing public is served (dev). */
    cdn: cdnSchema.optional(),
    /** Absent: nothing is traced. */
    tracing: tracingSchema.optional(),
  })
  .superRefine(checkConsistency);

type EnvironmentShape = {
  cluster: z.infer<typeof clusterSchema>;
  services: Record<ServiceName, Service>;
  postgres: Record<DatabaseName, Postgres>;
  redpanda: Redpanda;
  alerts: AlertThresholds;
  cdn?: Cdn | undefined;
};

/** Rules that span fields, each reported at the field a person would change. */
function checkConsistency(environment: EnvironmentShape, context: z.RefinementCtx): void {
  checkCdn(environment.cdn, context);
  environment.cluster.nodePools.forEach((pool, index) => {
    if (pool.maxNodes < pool.minNodes) {
      context.addIssue({
        code: "custom",
        path: ["cluster", "nodePools", index, "maxNodes"],
        message: `expected a number ≥ minNodes (${pool.minNodes})`,
      });
    }
  });
  for (const name of serviceNames) {
    const service = environment.services[name];
    if (service.maxReplicas < service.minReplicas) {
      context.addIssue({
        code: "custom",
        path: ["services", name, "maxReplicas"],
        message: `expected a number ≥ minReplicas (${service.minReplicas})`,
      });
    }
    const database = serviceDatabases[name];
    if (service.enabled && !environment.postgres[database].enabled) {
      context.addIssue({
        code: "custom",
        path: ["postgres", database, "enabled"],
        message: `expected true: service ${name} is enabled and needs its database`,
      });
    }
  }
  const seen = new Set<string>();
  environment.redpanda.topics.forEach((topic, index) => {
    if (seen.has(topic.name)) {
      context.addIssue({
        code: "custom",
        path: ["redpanda", "topics", index, "name"],
        message: `expected a unique topic name, ${topic.name} appears twice`,
      });
    }
    seen.add(topic.name);
    if (topic.replicationFactor > environment.redpanda.brokers) {
      context.addIssue({
        code: "custom",
        path: ["redpanda", "topics", index, "replicationFactor"],
        message: `expected a number ≤ brokers (${environment.redpanda.brokers})`,
      });
    }
  });
  const lag = environment.alerts.settlementLag;
  if (lag.t3HaltSeconds <= lag.t2ThrottleSeconds) {
    context.addIssue({
      code: "custom",
      path: ["alerts", "settlementLag", "t3HaltSeconds"],
      message: `expected a number > t2ThrottleSeconds (${lag.t2ThrottleSeconds})`,
    });
  }
}

/** A validated environment, as every consumer sees it. */
export type Environment = z.infer<typeof environmentSchema>;
/** What an environment file writes (defaults may be left out). */
export type EnvironmentInput = z.input<typeof environmentSchema>;

function checkCdn(cdn: Cdn | undefined, context: z.RefinementCtx): void {
  if (!cdn) return;
  const names = Object.keys(cdn.providers);
  if (names.length < 2) {
    context.addIssue({
      code: "custom",
      path: ["cdn", "providers"],
      message: "expected at least two providers: one to switch to when the other fails",
    });
  }
  if (!names.includes(cdn.primary)) {
    context.addIssue({
      code: "custom",
      path: ["cdn", "primary"],
      message: `expected one of the providers (${names.join(", ")})`,
    });
  }
}
