/**
 * @module The operator's configuration, from environment variables only, validated with
 * zod: a missing or malformed value stops the operator with one line naming the variable.
 */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { z } from "zod";
import { hiddenValue, isCredentialName, shownValue } from "../services/kit/secret-redaction";
import { defaultTargetsPath } from "./targets";

export const dnsLabel = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export const seconds = (fallback: number) =>
  z.coerce.number().positive().max(3600).default(fallback);

/** `$KUBECONFIG`, as kubectl reads it: absent, or files that exist. */
export const kubeconfigVariable = z
  .string()
  .optional()
  .refine((value) => value === undefined || value.split(":").every((path) => existsSync(path)), {
    message: "no such kubeconfig file",
  });

export const logLevelVariable = z
  .enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"])
  .default("info");

const schema = z.object({
  KUBECONFIG: kubeconfigVariable,
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
  OPERATOR_UNMANAGED_SCAN_SECONDS: seconds(60),
  REDIS_URL: z
    .url()
    .refine((value) => /^rediss?:\/\//.test(value), { message: "expected a redis:// URL" })
    .optional(),
  LOG_LEVEL: logLevelVariable,
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
  /** How often the leader compares each service's controls with the resources. */
  readonly unmanagedScanMs: number;
  readonly redisUrl?: string;
  readonly logLevel: string;
}

/** A setting that is missing or malformed; the message is one line naming the variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Validate environment variables with `variables`; the first problem is a ConfigError naming
 * the variable. `secret` variables and those named like a credential are never shown, and a
 * URL's password neither (the services' rule, services/kit/secret-redaction.ts).
 */
export function parseVariables<T extends z.ZodType>(
  variables: T,
  env: NodeJS.ProcessEnv,
  secret: readonly string[] = [],
): z.infer<T> {
  const result = variables.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0]);
  const value = env[name];
  const hidden = secret.includes(name) || isCredentialName(name);
  const shown =
    value === undefined
      ? "(got missing)"
      : hidden
        ? hiddenValue
        : `(got ${shownValue(name, value)})`;
  throw new ConfigError(`${name}: ${issue.message} ${shown}`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const c = parseVariables(schema, env);
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
    unmanagedScanMs: c.OPERATOR_UNMANAGED_SCAN_SECONDS * 1000,
    redisUrl: c.REDIS_URL,
    logLevel: c.LOG_LEVEL,
  };
}
