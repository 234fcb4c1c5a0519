/**
 * @module Running the operator in tests: as a child process through the same entry point
 * as `npm run operator` (operators/main.ts), or in-process, always authenticated as the
 * harness's `operator` identity so only its generated RBAC applies.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import pino from "pino";
import { operatorArgs } from "../../charts/container-image";
import { loadConfig } from "../../operators/config";
import { type RunningOperator, startOperator } from "../../operators/operator";
import { createKubeApi } from "../../operators/runtime/kube-api";
import type { KubeCluster } from "../harness/kube";
import { type ManagedProcess, makeTempDir, startProcess, waitUntil } from "../harness/process";

const root = resolve(import.meta.dirname, "..", "..");

export interface TargetsInput {
  /** Base URL of each payments replica set's admin API (any replica; WebhookReplay too). */
  readonly paymentsUrl?: string;
  /** Base URL of a purchasing replica (ProviderDisable). */
  readonly purchasingUrl?: string;
  /** Base URL of an exchange replica (SymbolMode, OrderThrottle, WithdrawalHalt, CancelAll, SettlementReplay). */
  readonly exchangeUrl?: string;
  /** Base URL of an exchange edge replica (EdgeDegradation). */
  readonly edgeUrl?: string;
  /** Base URL of an escrow replica (EscrowResolution). */
  readonly escrowUrl?: string;
  readonly allowedPrefixes?: readonly string[];
  /**
   * More services by name (e.g. a second payments deployment): the admin URL, the service
   * whose token Secret it shares, and the kinds it enforces.
   */
  readonly more?: Readonly<
    Record<string, { readonly url: string; readonly tokenOf: string; readonly kinds: string[] }>
  >;
}

/** A targets file like operators/targets.yaml, pointing at the test's servers. */
export function writeTargets(input: TargetsInput): string {
  const dir = makeTempDir("operator-targets");
  const path = join(dir, "targets.json");
  const target = (adminUrl: string, service: string, kinds: string[]) => ({
    adminUrl,
    tokenSecret: { namespace: "breakwater-services", name: `${service}-admin-token`, key: "token" },
    enforces: kinds,
  });
  const services = {
    ...(input.paymentsUrl
      ? {
          payments: target(input.paymentsUrl, "payments", [
            "WithdrawalHalt",
            "PayoutThrottle",
            "ReadOnlyMode",
            "SessionRevocation",
            "WebhookReplay",
            "RedisFailover",
          ]),
        }
      : {}),
    ...(input.purchasingUrl
      ? { purchasing: target(input.purchasingUrl, "purchasing", ["ProviderDisable"]) }
      : {}),
    ...(input.exchangeUrl
      ? {
          exchange: target(input.exchangeUrl, "exchange", [
            "SymbolMode",
            "OrderThrottle",
            "WithdrawalHalt",
            "CancelAll",
            "SettlementReplay",
          ]),
        }
      : {}),
    ...(input.edgeUrl
      ? { "exchange-edge": target(input.edgeUrl, "exchange-edge", ["EdgeDegradation"]) }
      : {}),
    ...(input.escrowUrl ? { escrow: target(input.escrowUrl, "escrow", ["EscrowResolution"]) } : {}),
    ...Object.fromEntries(
      Object.entries(input.more ?? {}).map(([name, more]) => [
        name,
        target(more.url, more.tokenOf, more.kinds),
      ]),
    ),
  };
  writeFileSync(
    path,
    JSON.stringify({
      services,
      lockFlush: { allowedPrefixes: input.allowedPrefixes ?? ["lock:purchase:", "lock:payout:"] },
    }),
  );
  return path;
}

/** Environment for the operator under test: fast lease timings, ephemeral port. */
export function operatorEnv(
  cluster: KubeCluster,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    KUBECONFIG: cluster.kubeconfigFor("operator"),
    OPERATOR_METRICS_PORT: "0",
    OPERATOR_METRICS_HOST: "127.0.0.1",
    OPERATOR_LEASE_DURATION_SECONDS: "4",
    OPERATOR_RENEW_DEADLINE_SECONDS: "3",
    OPERATOR_RETRY_PERIOD_SECONDS: "0.5",
    OPERATOR_RESYNC_SECONDS: "10",
    LOG_LEVEL: "info",
    ...extra,
  };
}

/** The operator in this process (for narrower tests). */
export async function startOperatorInProcess(
  cluster: KubeCluster,
  extra: Record<string, string>,
): Promise<RunningOperator> {
  const config = loadConfig(operatorEnv(cluster, extra));
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(cluster.kubeconfigFor("operator"));
  const log = pino({ level: process.env.BREAKWATER_OPERATOR_LOG ?? "warn" });
  return startOperator(config, { api: createKubeApi(kubeconfig), log });
}

export interface OperatorProcess {
  readonly process: ManagedProcess;
  readonly port: number;
  readonly identity: string;
  /** Metric lines, e.g. `breakwater_operator_leader 1`. */
  metrics(): Promise<string>;
  log(): string;
}

/** `npm run operator` as a child process; resolves once its HTTP server listens. */
export async function startOperatorProcess(
  cluster: KubeCluster,
  identity: string,
  extra: Record<string, string>,
): Promise<OperatorProcess> {
  const dir = makeTempDir(`operator-${identity}`);
  const logPath = join(dir, "operator.log");
  const managed = startProcess({
    name: `operator-${identity}`,
    command: process.execPath,
    // As the Deployment runs it: its Node flags and program (charts/container-image.ts).
    args: ["--import", "tsx", ...operatorArgs()],
    cwd: root,
    env: { ...process.env, ...operatorEnv(cluster, { OPERATOR_IDENTITY: identity, ...extra }) },
    logPath,
  });
  let port = 0;
  await waitUntil(
    `operator ${identity} listening`,
    async () => {
      const line = readFileSync(logPath, "utf8")
        .split("\n")
        .find((entry) => entry.includes('"msg":"listening"'));
      if (!line) return false;
      port = (JSON.parse(line) as { port: number }).port;
      return true;
    },
    { process: managed, timeoutMs: 30_000 },
  );
  return {
    process: managed,
    port,
    identity,
    metrics: async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
    log: () => readFileSync(logPath, "utf8"),
  };
}

/** Give the operator the admin token Secret the targets file names for `service`. */
export async function createTokenSecret(
  cluster: KubeCluster,
  token: string,
  service = "payments",
): Promise<void> {
  const result = await cluster.kubectl([
    "create",
    "secret",
    "generic",
    `${service}-admin-token`,
    "-n",
    "breakwater-services",
    `--from-literal=token=${token}`,
  ]);
  if (result.code !== 0) throw new Error(result.stderr);
}
