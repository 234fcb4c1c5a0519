/**
 * @module The operator's configuration, from environment variables only, validated with
 * zod: a missing or malformed value stops the operator with one line naming the variable.
 */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { z } from "zod";
import { shownValue } from "../services/kit/secret-redaction";
import { defaultTargetsPath } from "./targets";

const dnsLabel = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

const seconds = (fallback: number) => z.coerce.number().positive().max(3600).default(fallback);

const schema = z.object({
  KUBECONFIG: z
    .string()
    .optional()
    .refine((value) => value === undefined || value.split(":").every((path) => existsSync(path)), {
      message: "no such kubeconfig file",
    }),
  OPERATOR_TARGETS_FILE: z.string().min(1).default(defaultTargetsPath),
  OPERATOR_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  OPERATOR_METRICS_HOST: z.string().min(1).default("0.0.0.0"),
  OPERATOR_NAMESPACES: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .refine((names) => names.every((name) => dnsLabel.test(name)), {
      message: "expected a comma-separated list of namespace names (empty: all namespaces)",
    }),
  OPERATOR_LEASE_NAMESPACE: z.string().regex(dnsLabel).default("breakwater-system"),
  OPERATOR_LEASE_NAME: z.string().regex(dnsLabel).default("breakwater-operator"),
  OPERATOR_LEASE_DURATION_SECONDS: seconds(15),
  OPERATOR_RENEW_DEADLINE_SECONDS: seconds(10),
  OPERATOR_RETRY_PERIOD_SECONDS: seconds(2),
  OPERATOR_IDENTITY: z.string().min(1).max(128).default(`${hostname()}_${process.pid}`),
  OPERATOR_RESYNC_SECONDS: seconds(30),
  OPERATOR_WORKERS: z.coerce.number().int().min(1).max(64).default(4),
  REDIS_URL: z
    .url()
    .refine((value) => /^rediss?:\/\//.test(value), { message: "expected a redis:// URL" })
    .optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});

export interface OperatorConfig {
  readonly targetsFile: string;
  readonly metricsPort: number;
  readonly metricsHost: string;
  /** Empty: watch every namespace. */
  readonly namespaces: readonly string[];
  readonly lease: {
    readonly namespace: string;
    readonly name: string;
    readonly durationMs: number;
    readonly renewDeadlineMs: number;
    readonly retryPeriodMs: number;
  };
  readonly identity: string;
  readonly resyncMs: number;
  readonly workers: number;
  readonly redisUrl?: string;
  readonly logLevel: string;
}

/** A setting that is missing or malformed; the message is one line naming the variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0]);
    const value = env[variable];
    // The services' rule: no credential or URL password is ever shown.
    const shown = value === undefined ? "missing" : shownValue(variable, value);
    throw new ConfigError(`${variable}: ${issue.message} (got ${shown})`);
  }
  const c = result.data;
  if (c.OPERATOR_RENEW_DEADLINE_SECONDS >= c.OPERATOR_LEASE_DURATION_SECONDS) {
    throw new ConfigError(
      `OPERATOR_RENEW_DEADLINE_SECONDS: must be below OPERATOR_LEASE_DURATION_SECONDS (${c.OPERATOR_LEASE_DURATION_SECONDS})`,
    );
  }
  return {
    targetsFile: c.OPERATOR_TARGETS_FILE,
    metricsPort: c.OPERATOR_METRICS_PORT,
    metricsHost: c.OPERATOR_METRICS_HOST,
    namespaces: c.OPERATOR_NAMESPACES,
    lease: {
      namespace: c.OPERATOR_LEASE_NAMESPACE,
      name: c.OPERATOR_LEASE_NAME,
      durationMs: c.OPERATOR_LEASE_DURATION_SECONDS * 1000,
      renewDeadlineMs: c.OPERATOR_RENEW_DEADLINE_SECONDS * 1000,
      retryPeriodMs: c.OPERATOR_RETRY_PERIOD_SECONDS * 1000,
    },
    identity: c.OPERATOR_IDENTITY,
    resyncMs: c.OPERATOR_RESYNC_SECONDS * 1000,
    workers: c.OPERATOR_WORKERS,
    redisUrl: c.REDIS_URL,
    logLevel: c.LOG_LEVEL,
  };
}
