/**
 * @module The autopilot's configuration, from environment variables only (the operator's
 * loader, operators/config.ts): a missing or malformed value stops it with one line naming
 * the variable, and the webhook token is never shown.
 */
import { hostname } from "node:os";
import { z } from "zod";
import { environmentNames } from "../../environments/schema";
import { automationRulesDirectory } from "../../policies/automation/load-rules";
import { automationModes } from "../../policies/automation/rule-schema";
import {
  ConfigError,
  dnsLabel,
  kubeconfigVariable,
  logLevelVariable,
  parseVariables,
  seconds,
} from "../config";

const count = (fallback: number) =>
  z.coerce.number().int().positive().max(100_000).default(fallback);

const schema = z.object({
  KUBECONFIG: kubeconfigVariable,
  AUTOPILOT_WEBHOOK_TOKEN: z
    .string({ error: "expected the bearer token Alertmanager sends (from a Secret)" })
    .min(16, { error: "expected at least 16 characters" }),
  AUTOPILOT_ENVIRONMENT: z.enum(environmentNames, { error: "expected dev, staging or prod" }),
  AUTOPILOT_DEFAULT_MODE: z
    .enum(automationModes, { error: "expected auto, approval or dryRun" })
    .default("dryRun"),
  AUTOPILOT_RULES_DIR: z.string().min(1).default(automationRulesDirectory),
  AUTOPILOT_CONTROLS_NAMESPACE: z.string().regex(dnsLabel).default("breakwater-system"),
  AUTOPILOT_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  AUTOPILOT_HOST: z.string().min(1).default("0.0.0.0"),
  AUTOPILOT_ADVERTISE_URL: z
    .url({ error: "expected the http URL peers reach this replica at" })
    .optional(),
  /** The pod's IP (downward API): followers reach the leader at http://<POD_IP>:<port>. */
  POD_IP: z.union([z.ipv4(), z.ipv6()], { error: "expected the pod's IP address" }).optional(),
  AUTOPILOT_LEASE_NAMESPACE: z.string().regex(dnsLabel).default("breakwater-system"),
  AUTOPILOT_LEASE_NAME: z.string().regex(dnsLabel).default("breakwater-autopilot"),
  AUTOPILOT_STATE_CONFIGMAP: z.string().regex(dnsLabel).default("breakwater-autopilot-state"),
  AUTOPILOT_LEASE_DURATION_SECONDS: seconds(15),
  AUTOPILOT_RENEW_DEADLINE_SECONDS: seconds(10),
  AUTOPILOT_RETRY_PERIOD_SECONDS: seconds(2),
  AUTOPILOT_IDENTITY: z.string().min(1).max(128).default(`${hostname()}_${process.pid}`),
  AUTOPILOT_BUDGET: count(20),
  AUTOPILOT_BUDGET_WINDOW_MINUTES: count(60),
  LOG_LEVEL: logLevelVariable,
});

export interface AutopilotConfig {
  readonly webhookToken: string;
  readonly environment: (typeof environmentNames)[number];
  readonly defaultMode: (typeof automationModes)[number];
  readonly rulesDirectory: string;
  readonly controlsNamespace: string;
  readonly port: number;
  readonly host: string;
  /** Where followers forward webhooks while this replica leads; undefined: from the port. */
  readonly advertiseUrl?: string;
  readonly lease: {
    readonly namespace: string;
    readonly name: string;
    readonly durationMs: number;
    readonly renewDeadlineMs: number;
    readonly retryPeriodMs: number;
  };
  readonly stateConfigMap: string;
  readonly identity: string;
  /** Controls created automatically, platform-wide, per window; past it a human approves. */
  readonly budget: { readonly count: number; readonly windowMs: number };
  readonly logLevel: string;
}

export function loadAutopilotConfig(env: NodeJS.ProcessEnv = process.env): AutopilotConfig {
  const c = parseVariables(schema, env, ["AUTOPILOT_WEBHOOK_TOKEN"]);
  if (c.AUTOPILOT_RENEW_DEADLINE_SECONDS >= c.AUTOPILOT_LEASE_DURATION_SECONDS) {
    throw new ConfigError(
      `AUTOPILOT_RENEW_DEADLINE_SECONDS: must be below AUTOPILOT_LEASE_DURATION_SECONDS (${c.AUTOPILOT_LEASE_DURATION_SECONDS})`,
    );
  }
  return {
    webhookToken: c.AUTOPILOT_WEBHOOK_TOKEN,
    environment: c.AUTOPILOT_ENVIRONMENT,
    defaultMode: c.AUTOPILOT_DEFAULT_MODE,
    rulesDirectory: c.AUTOPILOT_RULES_DIR,
    controlsNamespace: c.AUTOPILOT_CONTROLS_NAMESPACE,
    port: c.AUTOPILOT_PORT,
    host: c.AUTOPILOT_HOST,
    advertiseUrl:
      c.AUTOPILOT_ADVERTISE_URL ??
      (c.POD_IP === undefined
        ? undefined
        : `http://${c.POD_IP.includes(":") ? `[${c.POD_IP}]` : c.POD_IP}:${c.AUTOPILOT_PORT}`),
    lease: {
      namespace: c.AUTOPILOT_LEASE_NAMESPACE,
      name: c.AUTOPILOT_LEASE_NAME,
      durationMs: c.AUTOPILOT_LEASE_DURATION_SECONDS * 1000,
      renewDeadlineMs: c.AUTOPILOT_RENEW_DEADLINE_SECONDS * 1000,
      retryPeriodMs: c.AUTOPILOT_RETRY_PERIOD_SECONDS * 1000,
    },
    stateConfigMap: c.AUTOPILOT_STATE_CONFIGMAP,
    identity: c.AUTOPILOT_IDENTITY,
    budget: { count: c.AUTOPILOT_BUDGET, windowMs: c.AUTOPILOT_BUDGET_WINDOW_MINUTES * 60_000 },
    logLevel: c.LOG_LEVEL,
  };
}
