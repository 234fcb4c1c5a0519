/**
 * @module Configuration from environment variables, validated with zod: a service runs with
 * the kit's common settings plus its own, and a bad value stops it with one line naming the
 * variable before anything starts.
 */
import { hostname } from "node:os";
import { z } from "zod";
import { shownValue } from "./secret-redaction";

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function positiveMs(defaultMs: number) {
  return z.coerce.number().int().positive().default(defaultMs);
}

/**
 * The settings every service reads. `REPLICA_ID` defaults to `<hostname>-<pid>`;
 * `ADMIN_TOKEN` must be at least 16 characters (it guards the controls API).
 */
/**
 * OpenTelemetry's settings, read before anything else loads by `tracing.ts` (tracing is on only
 * when the endpoint is set) and then by the SDK itself; every program accepts them.
 */
export const tracingConfigSchema = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({
      protocol: /^https?$/,
      error:
        "expected the http(s) URL of an OTLP/HTTP receiver, e.g. http://tempo-distributor:4318",
    })
    .optional(),
  /** The traces' `service.name`; unset, the program's own name. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** More resource attributes, `key=value,...` (the charts set `deployment.environment.name`). */
  OTEL_RESOURCE_ATTRIBUTES: z.string().min(1).optional(),
});

export const commonConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  /**
   * A read replica of DATABASE_URL (the handbook's `DB_READONLY_ENDPOINT`): reads go there
   * while a ReadOnlyMode control names the service. Unset: read-only mode reads the primary.
   */
  DB_READONLY_ENDPOINT: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Connections in this replica's PostgreSQL pool. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }),
  /**
   * The secondary Redis (the handbook's `REDIS_SECONDARY`): every Redis command moves there
   * while a RedisFailover control names the service. Unset: the service refuses RedisFailover.
   */
  REDIS_SECONDARY: z.url({ protocol: /^rediss?$/ }).optional(),
  KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform((value) => value.split(",").map((broker) => broker.trim()))
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, "expected host:port")).min(1)),
  /** SASL towards the brokers (Redpanda runs with SASL on); unset means no SASL. */
  KAFKA_SASL_MECHANISM: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(["plain", "scram-sha-256", "scram-sha-512"]))
    .optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** TLS towards the brokers, trusting the CA in this PEM file when one is given. */
  KAFKA_TLS: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true"),
  KAFKA_TLS_CA_FILE: z.string().min(1).optional(),
  ADMIN_TOKEN: z.string().min(16, "expected at least 16 characters"),
  /** The admin token's next value while it rotates (`npm run secrets`): both are accepted. */
  ADMIN_TOKEN_NEXT: z.string().min(16, "expected at least 16 characters").optional(),
  /**
   * How people on admin endpoints are authenticated (TokenReview) and authorized
   * (SubjectAccessReview): a kubeconfig path, or `in-cluster` for the pod's ServiceAccount.
   * Unset: only the operator's `ADMIN_TOKEN` is admitted, and people are refused.
   */
  ADMIN_IDENTITY_KUBECONFIG: z.string().min(1).optional(),
  /** The namespace RBAC is asked about for admin actions (where the service's Roles live). */
  ADMIN_IDENTITY_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "expected a namespace name")
    .optional(),
  REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, "expected 1-128 of A-Z a-z 0-9 . _ -")
    .default(`${hostname()}-${process.pid}`),
  LOG_LEVEL: z.enum(logLevels).default("info"),
  /**
   * Apply migrations at start (the default, for dev and tests); `false` where a PreSync Job
   * migrates once per release, and the replica only checks the schema is current.
   */
  MIGRATE_AT_START: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
  /** Reload controls from PostgreSQL at least this often, in case a message was lost. */
  CONTROLS_RELOAD_MS: positiveMs(2000),
  /** How often a replica writes its heartbeat and acknowledged control version. */
  CONTROLS_HEARTBEAT_MS: positiveMs(1000),
  /** A replica whose heartbeat is older than this is no longer live. */
  CONTROLS_REPLICA_TTL_MS: positiveMs(10000),
  OUTBOX_RELAY_INTERVAL_MS: positiveMs(500),
  /** Ceiling of the relay's exponential backoff after failed sends. */
  OUTBOX_BACKOFF_MAX_MS: positiveMs(30000),
  /**
   * An outbox event whose own delivery failed this many times is parked until re-queued
   * (seed 001: "If retryCount > 5, investigate specific event"); outages never count.
   */
  OUTBOX_PARK_AFTER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  /** Completed Idempotency-Key results are kept this long; see retention.ts. */
  IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().int().positive().default(24),
  /** Published outbox rows and processed-message marks are kept this long. */
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().positive().default(7),
  /** How long a graceful shutdown waits for in-flight work before closing anyway. */
  SHUTDOWN_GRACE_MS: positiveMs(10000),
  ...tracingConfigSchema.shape,
});

export type CommonConfig = z.infer<typeof commonConfigSchema>;

/** The admin token values accepted now: the current one, and the next while it rotates. */
export function adminTokens(config: CommonConfig): readonly string[] {
  return config.ADMIN_TOKEN_NEXT
    ? [config.ADMIN_TOKEN, config.ADMIN_TOKEN_NEXT]
    : [config.ADMIN_TOKEN];
}

/** A configuration error carrying the one line to print. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Validate `env` against the common schema merged with a service's own. Empty strings count
 * as missing. Throws {@link ConfigError} for the first bad variable (in schema order).
 *
 * @example const config = loadConfig(process.env, z.object({ PSP_URL: z.url() }));
 */
export function loadConfig<S extends z.ZodObject>(
  env: Env,
  serviceSchema?: S,
): CommonConfig & z.infer<S> {
  const schema = serviceSchema
    ? commonConfigSchema.extend(serviceSchema.shape)
    : commonConfigSchema;
  const config = parseSettings(schema, env) as CommonConfig & z.infer<S>;
  checkKafkaSasl(config);
  return config;
}

/**
 * Validate the variables `schema` names in `env` (empty counts as missing); throws
 * {@link ConfigError} for the first bad one, in schema order.
 */
export function parseSettings<S extends z.ZodObject>(schema: S, env: Env): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) throw configErrorFrom(result.error, input);
  return result.data;
}

/** SASL needs all three settings; a mechanism without credentials would fail only at runtime. */
function checkKafkaSasl(config: CommonConfig): void {
  const mechanism = config.KAFKA_SASL_MECHANISM;
  for (const variable of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"] as const) {
    if (mechanism !== undefined && config[variable] === undefined) {
      throw new ConfigError(variable, `${variable}: required when KAFKA_SASL_MECHANISM is set`);
    }
    if (mechanism === undefined && config[variable] !== undefined) {
      throw new ConfigError(
        "KAFKA_SASL_MECHANISM",
        `KAFKA_SASL_MECHANISM: required when ${variable} is set (plain, scram-sha-256 or scram-sha-512)`,
      );
    }
  }
}

function configErrorFrom(error: z.ZodError, input: Record<string, string>): ConfigError {
  const issue = error.issues[0]!;
  const variable = String(issue.path[0] ?? "environment");
  const given = input[variable];
  if (given === undefined) return new ConfigError(variable, `${variable}: required but not set`);
  // Credentials are never shown, a URL's password neither (secret-redaction.ts).
  return new ConfigError(
    variable,
    `${variable}: ${oneLine(issue.message)}, got ${shownValue(variable, given)}`,
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
