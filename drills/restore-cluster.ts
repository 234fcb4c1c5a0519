/**
 * @module `npm run drill -- restore-cluster --manifest <cluster.json>`: the weekly restore
 * rehearsal of a real environment (seed 004: "test restore procedure monthly"; seeds 002 and
 * 004 ask for a weekly rehearsal in staging), run in its cluster by the `restore-rehearsal`
 * CronJob. The manifest is the rehearsal copy `npm run synth` renders into that CronJob's
 * ConfigMap (`rehearsalCluster` of `charts/recovery.ts`): a NEW CloudNativePG Cluster recovered
 * from the production cluster's object store, archiving nothing. The drill creates it (to the
 * end of the archived WAL, or to `--to`), waits until it is ready, checks that its ledger
 * balances and its audit chain verifies, and deletes it again whatever happened. RTO is
 * measured from creation to a verified copy.
 */
import { readFileSync } from "node:fs";
import * as k8s from "@kubernetes/client-node";
import { createPool } from "../services/kit/db";
import { type Drill, type DrillIo, type DrillReport, DrillUsageError } from "./drill";
import { verifyAuditChain, verifyLedgerBalances } from "./restore/verify";
import { DrillStepError, Timeline } from "./timeline";

const cnpg = { group: "postgresql.cnpg.io", version: "v1", plural: "clusters" } as const;

interface RehearsalOptions {
  readonly manifest: string;
  /** RFC 3339; undefined: recover every archived WAL segment. */
  readonly targetTime?: string;
  readonly waitSeconds: number;
}

const usage =
  "usage: restore-cluster --manifest <cluster.json> [--to <RFC 3339>] [--wait-seconds <n>]";

function parseOptions(args: readonly string[]): RehearsalOptions {
  const values = new Map<string, string>();
  for (let index = 0; index < args.length; index += 2) {
    const [name, value] = [args[index]!, args[index + 1]];
    if (!["--manifest", "--to", "--wait-seconds"].includes(name) || !value) {
      throw new DrillUsageError(
        `restore-cluster: unknown or incomplete argument "${name}"; ${usage}`,
      );
    }
    values.set(name, value);
  }
  const manifest = values.get("--manifest");
  if (!manifest) throw new DrillUsageError(`restore-cluster: --manifest is required; ${usage}`);
  const waitSeconds = Number(values.get("--wait-seconds") ?? 3600);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 1) {
    throw new DrillUsageError(
      "restore-cluster: --wait-seconds expects a whole number of seconds ≥ 1",
    );
  }
  const targetTime = values.get("--to");
  if (targetTime !== undefined && Number.isNaN(Date.parse(targetTime))) {
    throw new DrillUsageError(
      `restore-cluster: --to expects an RFC 3339 time, got "${targetTime}"`,
    );
  }
  return { manifest, waitSeconds, ...(targetTime ? { targetTime } : {}) };
}

interface Recovered {
  readonly name: string;
  readonly namespace: string;
}

type ClusterObject = {
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: { phase?: string; readyInstances?: number };
};

/** The rendered rehearsal copy, with the target time when one is asked for. */
function readCluster(options: RehearsalOptions): ClusterObject {
  const object = JSON.parse(readFileSync(options.manifest, "utf8")) as ClusterObject;
  if (object.kind !== "Cluster" || !(object.spec.bootstrap as { recovery?: unknown })?.recovery) {
    throw new Error(`${options.manifest} is not a CloudNativePG Cluster bootstrapped by recovery`);
  }
  if (options.targetTime === undefined) return object;
  const recovery = (object.spec.bootstrap as { recovery: Record<string, unknown> }).recovery;
  recovery.recoveryTarget = { targetTime: options.targetTime };
  return object;
}

async function waitUntilReady(
  api: k8s.CustomObjectsApi,
  recovered: Recovered,
  waitSeconds: number,
): Promise<string> {
  const deadline = Date.now() + waitSeconds * 1000;
  let phase = "not reported";
  while (Date.now() < deadline) {
    const object = (await api.getNamespacedCustomObject({
      ...cnpg,
      ...recovered,
    })) as ClusterObject;
    phase = object.status?.phase ?? "not reported";
    if ((object.status?.readyInstances ?? 0) >= 1 && phase === "Cluster in healthy state")
      return phase;
    await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, waitSeconds * 200)));
  }
  throw new Error(`not ready after ${waitSeconds} s (phase: ${phase})`);
}

/** The owner's URL of the recovered database, from the owner Secret the bootstrap used. */
async function databaseUrl(
  config: k8s.KubeConfig,
  recovered: Recovered,
  cluster: ClusterObject,
): Promise<string> {
  const recovery = (
    cluster.spec.bootstrap as { recovery: { database: string; secret: { name: string } } }
  ).recovery;
  const secret = await config
    .makeApiClient(k8s.CoreV1Api)
    .readNamespacedSecret({ name: recovery.secret.name, namespace: recovered.namespace });
  const read = (key: string) => Buffer.from(secret.data?.[key] ?? "", "base64").toString("utf8");
  const host = `${recovered.name}-rw.${recovered.namespace}.svc.cluster.local`;
  return `postgresql://${encodeURIComponent(read("username"))}:${encodeURIComponent(read("password"))}@${host}:5432/${recovery.database}`;
}

async function rehearse(
  timeline: Timeline,
  options: RehearsalOptions,
  cleanup: (() => Promise<void>)[],
) {
  const config = new k8s.KubeConfig();
  config.loadFromDefault();
  const api = config.makeApiClient(k8s.CustomObjectsApi);
  const cluster = await timeline.step(
    "read the rehearsal cluster",
    async () => readCluster(options),
    (object) =>
      `${object.metadata.name}, target ${options.targetTime ?? "end of the archived WAL"}`,
  );
  const recovered = { name: cluster.metadata.name, namespace: cluster.metadata.namespace };
  const createdMs = Date.now();
  await timeline.step(
    "create the rehearsal cluster",
    async () => {
      await api.createNamespacedCustomObject({
        ...cnpg,
        namespace: recovered.namespace,
        body: cluster,
      });
      cleanup.push(() =>
        timeline.step("delete the rehearsal cluster", async () => {
          await api.deleteNamespacedCustomObject({ ...cnpg, ...recovered });
        }),
      );
    },
    () => `${recovered.namespace}/${recovered.name}`,
  );
  await timeline.step(
    "wait until the recovered cluster is ready",
    () => waitUntilReady(api, recovered, options.waitSeconds),
    (phase) => phase,
  );
  const url = await timeline.step("read the owner's credentials", () =>
    databaseUrl(config, recovered, cluster),
  );
  const pool = createPool(url);
  cleanup.push(() => pool.end());
  await timeline.step(
    "verify the ledger balances",
    () => verifyLedgerBalances(pool),
    (detail) => detail,
  );
  await timeline.step(
    "verify the audit chain",
    () => verifyAuditChain(url),
    (detail) => detail,
  );
  return {
    rtoSeconds: (Date.now() - createdMs) / 1000,
    targetTime: options.targetTime ?? "end of the archived WAL",
    recoveredCluster: recovered.name,
  };
}

async function runRehearsal(args: readonly string[], io?: DrillIo): Promise<DrillReport> {
  const options = parseOptions(args);
  const timeline = new Timeline(io?.onStep);
  const cleanup: (() => Promise<void>)[] = [];
  let report: DrillReport;
  try {
    const measured = await rehearse(timeline, options, cleanup);
    report = { scenario: "restore-cluster", ok: true, steps: timeline.steps, measured };
  } catch (error) {
    if (!(error instanceof DrillStepError)) throw error;
    report = {
      scenario: "restore-cluster",
      ok: false,
      steps: timeline.steps,
      measured: {},
      failedStep: error.step,
      error: error.message,
    };
  }
  // A rehearsal copy never outlives the rehearsal; a failed deletion fails the drill.
  for (const close of cleanup.reverse()) {
    try {
      await close();
    } catch (error) {
      if (!(error instanceof DrillStepError) || !report.ok) continue;
      report = {
        ...report,
        ok: false,
        steps: timeline.steps,
        failedStep: error.step,
        error: error.message,
      };
    }
  }
  return { ...report, steps: timeline.steps };
}

export const restoreClusterDrill: Drill = {
  summary: "restore rehearsal in a cluster: a recovered CloudNativePG copy, verified, then deleted",
  run: runRehearsal,
};
