/**
 * @module Shared setup for the operator's end-to-end tests: a real API server with the
 * control CRDs, the expiry admission policy and the operator's generated RBAC installed,
 * plus helpers to apply and read controls through kubectl as a user would.
 */
import { join } from "node:path";
import { applyCrds, type KubeCluster, type KubeUser } from "../harness/kube";
import { waitUntil } from "../harness/process";

const generated = join(import.meta.dirname, "..", "..", "operators", "crds", "generated");

/** The generated CRD files. */
export const crdFiles = [
  "ops.breakwater.dev_withdrawalhalts.yaml",
  "ops.breakwater.dev_symbolmodes.yaml",
  "ops.breakwater.dev_providerdisables.yaml",
  "ops.breakwater.dev_lockflushes.yaml",
  "ops.breakwater.dev_payoutthrottles.yaml",
  "ops.breakwater.dev_readonlymodes.yaml",
  "ops.breakwater.dev_edgedegradations.yaml",
  "ops.breakwater.dev_cancelalls.yaml",
].map((file) => join(generated, file));

/** Run kubectl and throw with its stderr on a non-zero exit. */
export async function kubectlOk(
  cluster: KubeCluster,
  args: readonly string[],
  options: { user?: KubeUser; input?: string } = {},
): Promise<string> {
  const result = await cluster.kubectl(args, options);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr.trim()}`);
  return result.stdout;
}

/**
 * Install what the charts install: CRDs, the expiry admission policy, the operator's
 * namespace, the services' namespace and its generated RBAC, plus the `payments` namespace
 * used by the tests.
 */
export async function installControls(cluster: KubeCluster): Promise<void> {
  await applyCrds(cluster, crdFiles);
  // The operator's own namespace, the services' (where their admin-token Secrets live, as
  // operators/targets.yaml says) and the one the tests put controls in.
  for (const namespace of ["breakwater-system", "breakwater-services", "payments"]) {
    await kubectlOk(cluster, ["create", "namespace", namespace]);
  }
  await kubectlOk(cluster, ["apply", "-f", join(generated, "rbac.yaml")]);
  await kubectlOk(cluster, ["apply", "-f", join(generated, "admission.yaml")]);
  // A policy is enforced only once the API server has compiled it and its binding.
  await waitUntil(
    "the expiry admission policy is in force",
    async () => {
      const probe = await cluster.kubectl(["apply", "--dry-run=server", "-f", "-"], {
        input: withdrawalHaltYaml("probe-expiry", { expiresAt: "2000-01-01T00:00:00Z" }),
      });
      return probe.code !== 0 && probe.stderr.includes("expiresAt must be in the future");
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

export interface HaltOptions {
  readonly namespace?: string;
  readonly currencies?: readonly string[];
  readonly services?: readonly string[];
  readonly reason?: string | null;
  readonly ticket?: string | null;
  readonly expiresAt?: string;
  readonly dryRun?: boolean;
  readonly requestedBy?: string;
}

/** A WithdrawalHalt manifest as an on-call engineer would write it. */
export function withdrawalHaltYaml(name: string, options: HaltOptions = {}): string {
  const lines = [
    "apiVersion: ops.breakwater.dev/v1alpha1",
    "kind: WithdrawalHalt",
    "metadata:",
    `  name: ${name}`,
    `  namespace: ${options.namespace ?? "payments"}`,
    "spec:",
    "  scope:",
    `    services: ${JSON.stringify(options.services ?? ["payments"])}`,
    `    currencies: ${JSON.stringify(options.currencies ?? ["BTC"])}`,
  ];
  const reason =
    options.reason === undefined ? "ledger imbalance on BTC, payouts unsafe" : options.reason;
  const ticket = options.ticket === undefined ? "INC-1234" : options.ticket;
  if (reason !== null) lines.push(`  reason: ${JSON.stringify(reason)}`);
  if (ticket !== null) lines.push(`  ticket: ${JSON.stringify(ticket)}`);
  lines.push(`  requestedBy: ${options.requestedBy ?? "alice"}`);
  if (options.expiresAt) lines.push(`  expiresAt: "${options.expiresAt}"`);
  if (options.dryRun) lines.push("  dryRun: true");
  return `${lines.join("\n")}\n`;
}

/** A LockFlush manifest. */
export function lockFlushYaml(
  name: string,
  spec: { pattern: string; maxKeys?: number; batchSize?: number; dryRun?: boolean },
): string {
  const lines = [
    "apiVersion: ops.breakwater.dev/v1alpha1",
    "kind: LockFlush",
    "metadata:",
    `  name: ${name}`,
    "  namespace: payments",
    "spec:",
    `  pattern: "${spec.pattern}"`,
    '  reason: "purchase locks stuck after the provider outage"',
    "  ticket: INC-77",
    "  requestedBy: alice",
  ];
  if (spec.maxKeys !== undefined) lines.push(`  maxKeys: ${spec.maxKeys}`);
  if (spec.batchSize !== undefined) lines.push(`  batchSize: ${spec.batchSize}`);
  if (spec.dryRun) lines.push("  dryRun: true");
  return `${lines.join("\n")}\n`;
}

/** The object as JSON, read through kubectl. */
export async function getJson<T = ControlObject>(
  cluster: KubeCluster,
  resource: string,
  namespace = "payments",
): Promise<T> {
  return JSON.parse(
    await kubectlOk(cluster, ["get", resource, "-n", namespace, "-o", "json"]),
  ) as T;
}

export interface ControlObject {
  metadata: { name: string; generation: number; finalizers?: string[]; deletionTimestamp?: string };
  spec: Record<string, unknown>;
  status?: {
    phase?: string;
    observedGeneration?: number;
    message?: string;
    conditions?: { type: string; status: string; reason: string; message: string }[];
    enforcement?: { acknowledged: number; live: number; summary: string };
    keysFlushed?: number;
    sample?: string[];
    completedAt?: string;
    wouldHalt?: { service: string; live: number }[];
    [key: string]: unknown;
  };
}

/**
 * Wrap a `test.before` hook so that a failure to start the servers is printed (uvu would
 * otherwise only report every test as not passed) and fails the file.
 */
export function setup(start: () => Promise<void>): () => Promise<void> {
  return async function startServers() {
    try {
      await start();
    } catch (error) {
      console.error("setup failed:", error);
      process.exitCode = 1;
      throw error;
    }
  };
}
