/**
 * @module The settlement as the exchange service runs it: the consumer that posts
 * `exchange.trades` to the ledger, and the invariant checker on a timer. Both are workers of
 * the service, so their metrics are on every replica's `/metrics` from the start and the
 * alerts that read them have a source. The consumer is started by its worker, in the
 * background, and again on a later run if the brokers were away: a replica never waits for
 * Kafka to serve.
 */
import type { Kafka } from "kafkajs";
import type { Pool } from "pg";
import type { Logger } from "../../kit/logger";
import type { WorkerDefinition } from "../../kit/worker";
import { checkInvariants, type OutboxBacklogs } from "./invariant-checker";
import { type SettlementConsumer, startSettlementConsumer } from "./settlement-consumer";
import type { SettlementMetrics } from "./settlement-metrics";
import { type ReplayRequest, type ReplayResult, replaySettlement } from "./settlement-replay";

export interface SettlementWorkersInput {
  readonly pool: Pool;
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly metrics: SettlementMetrics;
  /** How often the invariants are checked. @default 30000 */
  readonly invariantCheckMs?: number;
  /** Whether this replica joins the settlement consumer group. @default true */
  readonly consume?: boolean;
}

export interface SettlementWorkers {
  readonly workers: WorkerDefinition[];
  /** Settles again from an offset: what `npm run settlement -- replay` runs, on this replica. */
  replay(request: ReplayRequest): Promise<ReplayResult>;
  stop(): Promise<void>;
}

export function settlementWorkers(input: SettlementWorkersInput): SettlementWorkers {
  let consumer: SettlementConsumer | undefined;
  let starting: Promise<void> | undefined;
  let stopped = false;
  const context = { pool: input.pool, logger: input.logger, metrics: input.metrics };
  // Started in the background: without brokers kafkajs keeps retrying its connect, and
  // neither a run of the worker nor the replica's shutdown may wait for that.
  const start = () =>
    startSettlementConsumer({ ...context, kafka: input.kafka })
      .then(async (started) => {
        if (stopped) await started.stop();
        else consumer = started;
      })
      .catch((error: unknown) => {
        input.logger.warn({ err: error }, "settlement consumer not started; retrying");
      })
      .finally(() => {
        starting = undefined;
      });
  const consumerWorker: WorkerDefinition = {
    name: "settlement-consumer",
    intervalMs: 5000,
    async run() {
      if (consumer) return "running";
      if (!starting && !stopped) starting = start();
      return "starting";
    },
  };
  // What the checker saw waiting in the outbox, kept from one run to the next.
  const outboxBacklogs: OutboxBacklogs = new Map();
  return {
    workers: [
      ...(input.consume === false ? [] : [consumerWorker]),
      {
        name: "invariant-check",
        intervalMs: input.invariantCheckMs ?? 30_000,
        run: () => checkInvariants(input.pool, input.metrics, { outboxBacklogs }),
      },
    ],
    replay: (request) => replaySettlement({ ...context, kafka: input.kafka }, request),
    async stop() {
      stopped = true;
      await consumer?.stop();
    },
  };
}
