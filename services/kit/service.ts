/**
 * @module Service definition and start: a service declares its name, migrations, config,
 * control kinds, routes and workers with `defineService`; `startService` validates the
 * environment, applies migrations, loads controls, serves HTTP and runs the workers, and
 * returns a handle whose `stop()` shuts down gracefully (stop accepting, finish in-flight
 * requests and worker runs, close the pool, Redis and Kafka). `services/run.ts` is the same
 * code path behind `npm run service -- <name>`.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Redis } from "ioredis";
import type { Kafka } from "kafkajs";
import type { z } from "zod";
import { createApp } from "./app";
import type { ServiceApp } from "./app-env";
import { adminTokens, type CommonConfig, loadConfig } from "./config";
import { Controls } from "./controls";
import { mountControlsApi } from "./controls-api";
import type { Control } from "./controls-store";
import { createPool, type Pool } from "./db";
import { createKafkaProbe, mountHealth } from "./health";
import { idempotency } from "./idempotency";
import { createKafka } from "./kafka";
import { createLocks, type Locks } from "./locks";
import { createLogger, type Logger } from "./logger";
import { createMetrics, type ServiceMetrics } from "./metrics";
import { migrate, type SupersededMigration } from "./migrations";
import { withKitAnswers } from "./openapi-document";
import { mountOutboxParkedApi } from "./outbox-parked-api";
import { createOutboxRelay, type OutboxRelay } from "./outbox-relay";
import { type IdentityReviewer, reviewerFromSetting } from "./person-identity";
import { createReadRouting, readOnlyKind, refuseWritesWhenReadOnly } from "./read-only-mode";
import { createRedisRouter, type RedisRouter, redisFailoverKind } from "./redis-router";
import { pruneKitTables } from "./retention";
import { requireCurrentSchema } from "./schema-version";
import { answerTransportErrors } from "./transport-errors";
import { runWorker, type WorkerDefinition, type WorkerHandle } from "./worker";

/** Everything a service's routes and workers use, created once per instance. */
export interface ServiceContext<C extends CommonConfig = CommonConfig> {
  readonly name: string;
  readonly replicaId: string;
  readonly config: C;
  readonly logger: Logger;
  readonly pool: Pool;
  /**
   * Redis: every command goes to the server in use now, the primary (`REDIS_URL`) or, while a
   * RedisFailover control names this service, the secondary (`REDIS_SECONDARY`).
   */
  readonly redis: Redis;
  /** Which Redis is in use and the connections themselves (see redis-router.ts). */
  readonly redisRouter: RedisRouter;
  readonly kafka: Kafka;
  readonly metrics: ServiceMetrics;
  readonly controls: Controls;
  readonly locks: Locks;
  readonly outbox: OutboxRelay;
  /** Reviews people's tokens on admin endpoints; undefined without `ADMIN_IDENTITY_KUBECONFIG`. */
  readonly identity: IdentityReviewer | undefined;
  /**
   * The pool for reads: the read replica (`DB_READONLY_ENDPOINT`) while a ReadOnlyMode control
   * names this service, the primary otherwise. Use it on routes that only read.
   */
  readPool(): Pool;
  /** Start a worker counted in `worker_runs_total` and stopped (gracefully) with the service. */
  runWorker(name: string, fn: WorkerDefinition["run"], intervalMs: number): WorkerHandle;
}

/** What a service declares. */
export interface ServiceDefinition<S extends z.ZodObject = z.ZodObject> {
  /** `payments`; also the migration scope and the `service` of controls. */
  readonly name: string;
  /** Absolute path of `services/<name>/migrations`. */
  readonly migrationsDir?: string;
  /** The service keeps money on the kit's double-entry ledger (its tables are migrated). @default false */
  readonly ledger?: boolean;
  /** Migration files it once applied that others replaced (see `migrations.ts`). @default [] */
  readonly supersededMigrations?: readonly SupersededMigration[];
  /** The service's own environment variables, merged with the kit's. */
  readonly config?: S;
  /** Control kinds this service enforces (a PUT of another kind is 422). */
  readonly controlKinds?: readonly string[];
  /** Idempotency-Key handling for unsafe requests. @default { required: false } */
  readonly idempotency?: { readonly required?: boolean } | false;
  /**
   * Middleware mounted ahead of the kit's Idempotency-Key handling, for a replica that relays
   * some requests to another replica as they came: a request it answers that way reserves no
   * key here, so the replica that runs it handles the key.
   */
  readonly relay?: (
    app: ServiceApp,
    context: ServiceContext<CommonConfig & z.infer<S>>,
  ) => void | Promise<void>;
  /** Mount routes on the app (plain Hono or `app.openapi(createRoute(...))`). */
  readonly routes?: (
    app: ServiceApp,
    context: ServiceContext<CommonConfig & z.infer<S>>,
  ) => void | Promise<void>;
  /** Workers started after the HTTP server listens. */
  readonly workers?: (context: ServiceContext<CommonConfig & z.infer<S>>) => WorkerDefinition[];
  /**
   * Called once with the HTTP server as soon as it is created, for protocols that take over a
   * connection (a WebSocket `upgrade` handler); close what it opened in `onStop`.
   */
  readonly attach?: (
    server: Server,
    context: ServiceContext<CommonConfig & z.infer<S>>,
  ) => void | Promise<void>;
  /** Called before anything closes on stop (e.g. to stop a consumer). */
  readonly onStop?: (context: ServiceContext<CommonConfig & z.infer<S>>) => Promise<void>;
  /** `info.version` of the OpenAPI document. @default "1.0.0" */
  readonly version?: string;
}

/**
 * Declare a service (identity function that keeps the config type).
 *
 * @example export default defineService({ name: "payments", migrationsDir: join(import.meta.dirname, "migrations"), controlKinds: ["WithdrawalHalt"], routes(app, ctx) { ... } });
 */
export function defineService<S extends z.ZodObject = z.ZodObject>(
  definition: ServiceDefinition<S>,
): ServiceDefinition<S> {
  return definition;
}

/** A running service instance. */
export interface RunningService<C extends CommonConfig = CommonConfig> {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly replicaId: string;
  readonly context: ServiceContext<C>;
  readonly app: ServiceApp;
  /** Graceful shutdown; safe to call twice. */
  stop(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Start a service from environment variables (throws `ConfigError` for a bad one before
 * anything starts). Resolves once it listens, with controls loaded (or failing closed).
 *
 * @example const svc = await startService(payments, { PORT: "0", DATABASE_URL, REDIS_URL, KAFKA_BROKERS, ADMIN_TOKEN });
 */
export async function startService<S extends z.ZodObject>(
  definition: ServiceDefinition<S>,
  env: Env = process.env,
): Promise<RunningService<CommonConfig & z.infer<S>>> {
  type C = CommonConfig & z.infer<S>;
  const config = loadConfig(env, definition.config) as C;
  const identity = reviewerFromSetting(config.ADMIN_IDENTITY_KUBECONFIG);
  const logger = createLogger({
    service: definition.name,
    replicaId: config.REPLICA_ID,
    level: config.LOG_LEVEL,
  });
  const closers: Array<() => Promise<unknown>> = [];
  try {
    return await startWithConfig(definition, config, logger, closers, identity);
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

async function startWithConfig<S extends z.ZodObject, C extends CommonConfig & z.infer<S>>(
  definition: ServiceDefinition<S>,
  config: C,
  logger: Logger,
  closers: Array<() => Promise<unknown>>,
  identity: IdentityReviewer | undefined,
): Promise<RunningService<C>> {
  const metrics = createMetrics({ service: definition.name });
  const pool = createPool(config.DATABASE_URL, logger, { max: config.DATABASE_POOL_MAX });
  closers.push(() => pool.end());
  const replica = config.DB_READONLY_ENDPOINT
    ? createPool(config.DB_READONLY_ENDPOINT, logger, { max: config.DATABASE_POOL_MAX })
    : undefined;
  if (replica) closers.push(() => replica.end());
  const migrations = { ledger: definition.ledger, superseded: definition.supersededMigrations };
  if (config.MIGRATE_AT_START) {
    await migrate(pool, definition.name, definition.migrationsDir, migrations);
  } else {
    await requireCurrentSchema(pool, definition.name, definition.migrationsDir, migrations);
  }
  const redisRouter = createRedisRouter({
    service: definition.name,
    primaryUrl: config.REDIS_URL,
    secondaryUrl: config.REDIS_SECONDARY,
    logger,
    registry: metrics.registry,
  });
  closers.push(() => redisRouter.close());
  const redis = redisRouter.redis;
  const kafka = createKafka(config, `${definition.name}-${config.REPLICA_ID}`, logger);
  const outbox = createOutboxRelay(pool, kafka, logger, metrics, {
    service: definition.name,
    maxBackoffMs: config.OUTBOX_BACKOFF_MAX_MS,
    parkAfterFailures: config.OUTBOX_PARK_AFTER_FAILURES,
  });
  closers.push(() => outbox.close());
  // Controls are needed to route reads, and routing decides where controls load from: the
  // routing reads the controls through this late-bound view.
  let held = (): readonly Control[] => [];
  const routing = createReadRouting(definition.name, pool, replica, () => held());
  const controls = new Controls({
    service: definition.name,
    replicaId: config.REPLICA_ID,
    pool,
    loadPool: routing.controlsPool,
    redis,
    subscriber: redisRouter.subscribers,
    redisServers: redisRouter.clients,
    redisEndpoint: redisRouter.active,
    onLoaded: (held) => redisRouter.follow(held),
    logger,
    reloadMs: config.CONTROLS_RELOAD_MS,
    heartbeatMs: config.CONTROLS_HEARTBEAT_MS,
    replicaTtlMs: config.CONTROLS_REPLICA_TTL_MS,
  });
  held = () => controls.current().controls;
  await controls.start();
  closers.push(() => controls.stop());

  const workers: WorkerHandle[] = [];
  const context: ServiceContext<C> = {
    name: definition.name,
    replicaId: config.REPLICA_ID,
    config,
    logger,
    pool,
    redis,
    redisRouter,
    kafka,
    metrics,
    controls,
    locks: createLocks(redisRouter),
    outbox,
    identity,
    readPool: routing.readPool,
    runWorker(name, fn, intervalMs) {
      const worker = runWorker(name, fn, intervalMs, { metrics, logger });
      workers.push(worker);
      return worker;
    },
  };

  let accepting = true;
  const app = await buildApp(definition, context, () => accepting, closers);
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST });
  answerTransportErrors(server as Server, logger);
  await definition.attach?.(server as Server, context);
  const closeHttp = () => closeServer(server, config.SHUTDOWN_GRACE_MS);
  closers.push(closeHttp);
  await new Promise<void>((resolve, reject) => {
    if (server.listening) resolve();
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;

  context.runWorker("outbox-relay", () => outbox.relayOnce(), config.OUTBOX_RELAY_INTERVAL_MS);
  context.runWorker(
    "kit-retention",
    () =>
      pruneKitTables(pool, {
        outboxRetentionDays: config.OUTBOX_RETENTION_DAYS,
        processedRetentionDays: config.OUTBOX_RETENTION_DAYS,
        idempotencyRetentionHours: config.IDEMPOTENCY_RETENTION_HOURS,
      }),
    60 * 60 * 1000,
  );
  for (const worker of definition.workers?.(context) ?? []) {
    context.runWorker(worker.name, worker.run, worker.intervalMs);
  }
  logger.info({ port }, "listening");

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    replicaId: config.REPLICA_ID,
    context,
    app,
    stop() {
      stopping ??= (async () => {
        accepting = false;
        logger.info("stopping");
        await definition
          .onStop?.(context)
          .catch((error) => logger.warn({ err: error }, "onStop failed"));
        // The HTTP server first (it waits for in-flight requests), then workers (they finish
        // their run), then what both use, in reverse order of opening.
        await closeHttp();
        await Promise.all(workers.map((worker) => worker.stop()));
        const rest = closers.filter((close) => close !== closeHttp).reverse();
        for (const close of rest) await close().catch(() => undefined);
        logger.info("stopped");
      })();
      return stopping;
    },
  };
}

async function buildApp<S extends z.ZodObject, C extends CommonConfig & z.infer<S>>(
  definition: ServiceDefinition<S>,
  context: ServiceContext<C>,
  accepting: () => boolean,
  closers: Array<() => Promise<unknown>>,
): Promise<ServiceApp> {
  const { pool, redis, controls, metrics, logger, config } = context;
  const app = createApp(logger, metrics);
  if (definition.controlKinds?.includes(readOnlyKind)) {
    // Before idempotency: a refused write must not reserve a key on a primary that may be down.
    app.use(
      "*",
      refuseWritesWhenReadOnly(definition.name, () => controls.current().controls),
    );
  }
  await definition.relay?.(app, context);
  if (definition.idempotency !== false) {
    app.use(
      "*",
      idempotency({ pool, metrics, required: definition.idempotency?.required ?? false }),
    );
  }
  const kafka = createKafkaProbe(context.kafka);
  closers.push(() => kafka.close());
  mountHealth(app, { pool, readPool: context.readPool, redis, controls, kafka, accepting });
  app.get("/metrics", async (c) =>
    c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }),
  );
  mountControlsApi(app, {
    service: definition.name,
    kinds: definition.controlKinds ?? [],
    pool,
    controls,
    adminToken: adminTokens(config),
    readPool: context.readPool,
    identity: context.identity,
    namespace: config.ADMIN_IDENTITY_NAMESPACE,
    unmet: (kind) =>
      kind === redisFailoverKind && !context.redisRouter.hasSecondary
        ? "REDIS_SECONDARY is not set, so there is no secondary Redis to move to"
        : undefined,
  });
  mountOutboxParkedApi(app, pool);
  await definition.routes?.(app, context);
  let document: ReturnType<typeof app.getOpenAPIDocument> | undefined;
  app.get("/openapi.json", (c) => {
    document ??= withKitAnswers(
      app.getOpenAPIDocument({
        openapi: "3.0.3",
        info: { title: `breakwater ${definition.name}`, version: definition.version ?? "1.0.0" },
      }),
    );
    return c.json(document);
  });
  return app;
}

function closeServer(server: ReturnType<typeof serve>, graceMs: number): Promise<void> {
  const http = server as Server;
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      http.closeAllConnections();
      resolve();
    }, graceMs);
    force.unref();
    http.close(() => {
      clearTimeout(force);
      resolve();
    });
    http.closeIdleConnections();
  });
}
