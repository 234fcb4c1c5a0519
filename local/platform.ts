/**
 * @module The whole platform on this machine: the harness's real servers (PostgreSQL, Redis,
 * Kafka, the Kubernetes API with every control CRD and admission policy), every local service
 * (local-services.ts) migrated and seeded, the operator and the autopilot, Prometheus with
 * the rendered alert rules scraping every replica, and Alertmanager with the rendered routes
 * paging the sandbox's pager and calling the autopilot. It runs prod's rules, routes and
 * automation, with the alert windows and Alertmanager's intervals cut so that an incident
 * plays out in minutes.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AlertGroup } from "../charts/alerts/alert-group";
import { alertGroups } from "../charts/alerts/catalog";
import { type Environment, loadEnvironment } from "../environments";
import type { RunningAutopilot } from "../operators/autopilot/autopilot";
import type { RunningOperator } from "../operators/operator";
import { defaultTargetsPath, loadTargets, type Targets } from "../operators/targets";
import { type RunningService, startService } from "../services/kit/service";
import { loadServiceDefinition } from "../services/kit/service-registry";
import {
  fastAlertmanagerConfig,
  installAutopilot,
  startAutopilotInProcess,
  startRulesPrometheus,
} from "../test/autopilot/autopilot-cluster";
import { startKafka } from "../test/harness/kafka";
import { startKube } from "../test/harness/kube";
import { writeKubeconfigs } from "../test/harness/kubeconfigs";
import { startPostgres } from "../test/harness/postgres";
import { makeTempDir } from "../test/harness/process";
import { startAlertmanager } from "../test/harness/prometheus";
import { startRedis } from "../test/harness/redis";
import { createTokenSecret, startOperatorInProcess } from "../test/operator/operator-runner";
import { adminToken } from "../test/payments/payments-fixture";
import { escrowLoginFiles } from "./escrow-logins";
import { installFourEyes } from "./four-eyes";
import {
  type LocalContext,
  type LocalService,
  localServices,
  seededAccounts,
} from "./local-services";
import { startOutsideParties } from "./outside-parties";
import { type PlatformState, platformKubeconfigDir } from "./platform-state";
import { startSandboxServer } from "./sandbox-server";
import { writeTraderTokens } from "./trader-tokens";

/** The environment the platform plays, with windows short enough for a drill. */
export const localEnvironmentName = "prod";

/**
 * prod's rules, routes and automation, with every local service enabled (its alerts load
 * even where prod does not run it yet) and the payments imbalance and exchange signal windows
 * cut to a minute.
 */
function localEnvironment() {
  const prod = loadEnvironment(localEnvironmentName);
  const services = { ...prod.services };
  for (const { name } of localServices) {
    if (name in services) {
      const key = name as keyof typeof services;
      services[key] = { ...services[key], enabled: true };
    }
  }
  const alerts = {
    ...prod.alerts,
    ledgerImbalanceWindowMinutes: 1,
    exchangeSignalWindowMinutes: 1,
  };
  return { ...prod, services, alerts };
}

/**
 * The environment's alert groups, with the waits that are hours or days in production cut so
 * a drill sees the alert: seed 004's stuck escrow opens its ticket after 15 minutes past
 * STUCK_ESCROW_DAYS; locally after 20 s. Seed 002's Kafka outage pages once no publish has
 * succeeded over the rate window and every one failed for 2 minutes; locally for 20 s.
 */
function localAlertGroups(environment: Environment): AlertGroup[] {
  const shortened: Readonly<Record<string, string>> = {
    EscrowStuckTransactions: "20s",
    ExchangeKafkaOutage: "20s",
  };
  return alertGroups(environment).map((group) => ({
    ...group,
    rules: group.rules.map((rule) =>
      shortened[rule.name] === undefined ? rule : { ...rule, forDuration: shortened[rule.name] },
    ),
  }));
}

export interface LocalPlatform {
  readonly state: PlatformState;
  stop(): Promise<void>;
}

/** Where the controls of each service's incidents go. */
export const controlNamespaces = ["payments", "purchasing"] as const;

type Step = (what: string) => void;

/**
 * The operator's targets: every local service that enforces a kind in the shipped targets file
 * (operators/targets.yaml), at its first replica.
 */
function writeTargets(services: Map<LocalService, RunningService[]>): string {
  const shipped = loadTargets(defaultTargetsPath);
  const targets: Targets = {
    services: {},
    redis: {},
    lockFlush: shipped.lockFlush,
  } as Targets;
  for (const [service, replicas] of services) {
    const enforces = shipped.services[service.name]?.enforces;
    if (enforces === undefined) continue;
    targets.services[service.name] = {
      adminUrl: replicas[0]!.url,
      tokenSecret: {
        namespace: "breakwater-services",
        name: `${service.name}-admin-token`,
        key: "token",
      },
      enforces: [...enforces],
    };
  }
  const path = join(makeTempDir("local-targets"), "targets.json");
  writeFileSync(path, JSON.stringify(targets));
  return path;
}

async function startReplicas(
  service: LocalService,
  common: Record<string, string>,
  context: LocalContext,
): Promise<RunningService[]> {
  const definition = await loadServiceDefinition(service.name);
  const replicas: RunningService[] = [];
  for (let index = 1; index <= service.replicas; index += 1) {
    replicas.push(
      await startService(definition, {
        ...common,
        ...service.env(context),
        PORT: "0",
        HOST: "127.0.0.1",
        ADMIN_TOKEN: context.adminToken,
        REPLICA_ID: `${service.name}-${index}`,
        LOG_LEVEL: process.env.BREAKWATER_LOG_LEVEL ?? "error",
      }),
    );
  }
  await service.seed?.(replicas[0]!.url, context);
  return replicas;
}

/** Start everything; `step` hears each part as it comes up. Stops what started on failure. */
export async function startLocalPlatform(step: Step): Promise<LocalPlatform> {
  const stops: (() => Promise<unknown>)[] = [];
  const timed = async <T>(
    what: string,
    start: () => Promise<T>,
    stop: (value: T) => Promise<unknown>,
  ) => {
    const value = await start();
    stops.push(() => stop(value));
    step(what);
    return value;
  };
  try {
    const environment = localEnvironment();
    const kafkaStarting = timed(
      "kafka",
      () => startKafka(),
      (kafka) => kafka.stop(),
    );
    const kubeStarting = timed(
      "kubernetes",
      () => startKube(),
      (kube) => kube.stop(),
    );
    const [postgres, redis, parties] = await Promise.all([
      timed(
        "postgres",
        () => startPostgres(),
        (server) => server.stop(),
      ),
      timed(
        "redis",
        () => startRedis(),
        (server) => server.stop(),
      ),
      timed(
        "outside parties",
        () => startOutsideParties(),
        (server) => server.stop(),
      ),
    ]);
    const kube = await kubeStarting;
    mkdirSync(platformKubeconfigDir, { recursive: true });
    const kubeconfigs = await writeKubeconfigs(kube, platformKubeconfigDir);
    const installing = installAutopilot(kube).then(async (autopilotKubeconfig) => {
      await installFourEyes(kube);
      for (const namespace of controlNamespaces.filter((name) => name !== "payments"))
        await kube.kubectl(["create", "namespace", namespace]);
      step("controls, admission policies and RBAC");
      return autopilotKubeconfig;
    });
    const kafka = await kafkaStarting;
    const startedUrls: Record<string, string[]> = {};
    const context: LocalContext = {
      parties,
      adminToken,
      kubeconfig: kubeconfigs.admin!,
      replicaUrls: startedUrls,
    };
    const services = new Map<LocalService, RunningService[]>();
    for (const service of localServices) {
      const common = {
        DATABASE_URL: await postgres.createDatabase(service.name.replaceAll("-", "_")),
        REDIS_URL: redis.url,
        KAFKA_BROKERS: kafka.brokers.join(","),
      };
      const replicas = await timed(
        `${service.name} ×${service.replicas}`,
        () => startReplicas(service, common, context),
        (started) => Promise.all(started.map((replica) => replica.stop())),
      );
      services.set(service, replicas);
      startedUrls[service.name] = replicas.map((replica) => replica.url);
    }
    const autopilotKubeconfig = await installing;
    const targetsFile = writeTargets(services);
    for (const name of Object.keys(loadTargets(targetsFile).services))
      await createTokenSecret(kube, adminToken, name);
    const operator: RunningOperator = await timed(
      "operator",
      () => startOperatorInProcess(kube, { OPERATOR_TARGETS_FILE: targetsFile }),
      (running) => running.stop(),
    );
    const autopilot: RunningAutopilot = await timed(
      "autopilot",
      () => startAutopilotInProcess(autopilotKubeconfig, { AUTOPILOT_IDENTITY: "autopilot-local" }),
      (running) => running.stop(),
    );
    const alertmanager = await timed(
      "alertmanager",
      () =>
        startAlertmanager({
          config: fastAlertmanagerConfig(
            environment,
            autopilot.url,
            `${parties.pager.url}/v2/enqueue`,
          ),
        }),
      (server) => server.stop(),
    );
    const replicaUrls = [...services.values()].flat().map((replica) => replica.url);
    const prometheus = await timed(
      "prometheus",
      () =>
        startRulesPrometheus(
          environment,
          replicaUrls,
          alertmanager.url,
          localAlertGroups(environment),
        ),
      (server) => server.stop(),
    );
    const sandboxToken = randomBytes(24).toString("base64url");
    const sandbox = await timed(
      "sandbox",
      () =>
        startSandboxServer(parties, sandboxToken, {
          escrowUrl: startedUrls.escrow?.[0],
          broker: kafka,
        }),
      (server) => server.stop(),
    );
    const serviceState = Object.fromEntries(
      [...services].map(([service, replicas]) => [
        service.name,
        {
          urls: replicas.map((replica) => replica.url),
          databaseUrl: replicas[0]!.context.config.DATABASE_URL,
        },
      ]),
    );
    const state: PlatformState = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      environment: localEnvironmentName,
      kubeconfigs,
      endpoints: {
        kubernetes: kube.server,
        postgres: postgres.url,
        redis: redis.url,
        kafka: kafka.brokers.join(","),
        prometheus: prometheus.url,
        alertmanager: alertmanager.url,
        autopilot: autopilot.url,
        operator: `http://127.0.0.1:${operator.port}`,
        statusPage: serviceState["status-page"]!.urls[0]!,
        sandbox: sandbox.url,
      },
      services: serviceState,
      sandboxToken,
      traderTokens: await writeTraderTokens(parties.issuers.exchange!, seededAccounts.traders),
      escrowLogins: Object.fromEntries(
        seededAccounts.escrowUsers.map((user) => [user, escrowLoginFiles(user)]),
      ),
    };
    return { state, stop: () => stopAll(stops) };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

/** Stop in the reverse order of start; every stop runs even when one fails. */
async function stopAll(stops: (() => Promise<unknown>)[]): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}
