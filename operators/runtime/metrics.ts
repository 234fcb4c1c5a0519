/**
 * @module The operator's Prometheus metrics (prom-client): reconciles by kind and result,
 * their duration, queue depth, controls in force, and whether this replica leads.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface OperatorMetrics {
  readonly registry: Registry;
  readonly reconciles: Counter<"kind" | "result">;
  readonly reconcileDuration: Histogram<"kind">;
  readonly queueDepth: Gauge<"kind">;
  readonly controlsInForce: Gauge<"kind">;
  readonly leader: Gauge;
}

export function createMetrics(): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    reconciles: new Counter({
      name: "breakwater_operator_reconciles_total",
      help: "Reconciles by control kind and result (success, requeue, error).",
      labelNames: ["kind", "result"],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: "breakwater_operator_reconcile_duration_seconds",
      help: "Time one reconcile took, by control kind.",
      labelNames: ["kind"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "breakwater_operator_queue_depth",
      help: "Keys waiting in the work queue, by control kind.",
      labelNames: ["kind"],
      registers: [registry],
    }),
    controlsInForce: new Gauge({
      name: "breakwater_operator_controls_in_force",
      help: "Standing controls enforced by every live replica (phase Applied), by kind.",
      labelNames: ["kind"],
      registers: [registry],
    }),
    leader: new Gauge({
      name: "breakwater_operator_leader",
      help: "1 while this replica holds the leader Lease and acts, 0 while it stands by.",
      registers: [registry],
    }),
  };
}
