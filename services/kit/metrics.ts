/**
 * @module Prometheus metrics: one registry per service instance (so replicas in one process
 * and tests do not share counters), default process metrics, and the metrics the kit itself
 * fills under the names the runbooks alert on.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The registry of one service instance and the kit's own metrics in it. */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** `http_request_duration_seconds{method,path,status}`; `path` is the route template. */
  readonly httpRequestDuration: Histogram<"method" | "path" | "status">;
  /** `idempotency_events_total{outcome}`. */
  readonly idempotencyEvents: Counter<"outcome">;
  /** `worker_runs_total{worker,result}`; result is `success` or `failed` (or what a run returns). */
  readonly workerRuns: Counter<"worker" | "result">;
  /**
   * `outbox_events_total{result}`: rows `published`, rows whose send `failed`, and events
   * `parked` (the relay also exports the gauge `outbox_events_parked`).
   */
  readonly outboxEvents: Counter<"result">;
}

/** Create a registry with default process metrics and the kit's metrics. */
export function createMetrics(labels: Readonly<Record<string, string>> = {}): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ ...labels });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration by method, route template and status.",
      labelNames: ["method", "path", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    idempotencyEvents: new Counter({
      name: "idempotency_events_total",
      help: "Idempotency-Key outcomes: reserved, replayed, conflict, in_progress, reserve_error, finalize_error, released.",
      labelNames: ["outcome"] as const,
      registers,
    }),
    workerRuns: new Counter({
      name: "worker_runs_total",
      help: "Background worker runs by worker and result.",
      labelNames: ["worker", "result"] as const,
      registers,
    }),
    outboxEvents: new Counter({
      name: "outbox_events_total",
      help: "Outbox rows published, rows whose send failed, and events parked.",
      labelNames: ["result"] as const,
      registers,
    }),
  };
}
