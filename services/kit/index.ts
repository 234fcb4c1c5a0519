/** @module The service kit's public API: what every breakwater service is built from. */

export { adminAuth, bearerToken, tokensMatch } from "./admin-auth";
export {
  createApp,
  createRouter,
  errorToResponse,
  routeTemplate,
  unmatchedPath,
  validationHook,
} from "./app";
export type { AppEnv, ServiceApp } from "./app-env";
export {
  type AuditEntry,
  type AuditRow,
  type AuditVerification,
  appendAudit,
  auditHash,
  genesisHash,
  verifyAudit,
} from "./audit";
export { backoffMs } from "./backoff";
export {
  acceptedAlgorithms,
  type Caller,
  type CallerAuthConfig,
  type CallerAuthOptions,
  callerAuth,
  callerAuthConfigSchema,
  callerOf,
  createTokenVerifier,
  registerBearerScheme,
  type TokenVerifier,
} from "./caller-auth";
export { canonicalJson } from "./canonical-json";
export { type CommonConfig, ConfigError, commonConfigSchema, loadConfig } from "./config";
export {
  type ControlKind,
  type ControlKindOf,
  type ControlSpec,
  controlKindDefinition,
  rankOf,
  scopeIncludes,
  specOf,
} from "./control-kinds";
export {
  Controls,
  type ControlsView,
  controlsChannel,
  controlsUnavailable,
  failClosed,
  isControlActive,
  type Refusal,
  type ReplicaStatus,
  refuse,
  requireNoControl,
} from "./controls";
export { controlIdPattern, mountControlsApi } from "./controls-api";
export { type Control, type ControlSet, loadControlSet } from "./controls-store";
export {
  createPool,
  onCommit,
  type Pool,
  type TransactionOptions,
  type Tx,
  withTransaction,
} from "./db";
export { dependencyUnavailable, isDependencyOutage } from "./dependency-error";
export {
  checkDependencies,
  createKafkaProbe,
  type DependencyState,
  type KafkaProbe,
  readinessFailures,
} from "./health";
export {
  answerInTransaction,
  type IdempotencyOptions,
  type IdempotencyOutcome,
  type IdempotencyReservation,
  idempotency,
  idempotencyKeyOf,
  requestHash,
  requireIdempotencyKey,
  storeIdempotentJson,
} from "./idempotency";
export {
  parseJsonBody,
  type ValidationIssue,
  validationProblem,
  validInput,
} from "./input-problems";
export { createKafka } from "./kafka";
export * from "./ledger";
export { type AcquireOptions, createLocks, type Lock, type Locks, lockKey } from "./locks";
export { createLogger, type Logger } from "./logger";
export { createMetrics, type ServiceMetrics } from "./metrics";
export {
  checksumOf,
  kitMigrationsDir,
  ledgerMigrationsDir,
  type MigrateOptions,
  MigrationChangedError,
  migrate,
} from "./migrations";
export { controlEventsTopic, enqueueEvent } from "./outbox";
export {
  type ConsumedEvent,
  type IdempotentConsumerOptions,
  processOnce,
  startIdempotentConsumer,
} from "./outbox-consumer";
export { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from "./outbox-relay";
export {
  kitProblems,
  type ProblemDetails,
  ProblemError,
  type ProblemInit,
  problem,
  problemContentType,
  problemResponse,
  problemType,
  problemTypeBase,
} from "./problem";
export { problemContent, problemResponses, problemSchema } from "./problem-schema";
export { createRedis } from "./redis";
export {
  createRedisRouter,
  type RedisEndpoint,
  type RedisRouter,
  redisFailoverControl,
  redisFailoverKind,
} from "./redis-router";
export { pruneKitTables, type RetentionOptions, type RetentionResult } from "./retention";
export { requireCurrentSchema, SchemaBehindError } from "./schema-version";
export {
  defineService,
  type RunningService,
  type ServiceContext,
  type ServiceDefinition,
  startService,
} from "./service";
export {
  type RunWorkerOptions,
  runWorker,
  type WorkerDefinition,
  type WorkerHandle,
} from "./worker";
