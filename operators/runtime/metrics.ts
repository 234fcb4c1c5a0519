/**
 * @module The operator's Prometheus metrics (prom-client): reconciles by kind and result,
 * their duration, queue depth, controls in force, whether this replica leads, the time from
 * a control being due to being enforced, where the controls stand (held for approval, due and
 * not enforced, a LockFlush broken off; read from the leader's caches at each scrape), and
 * the controls services enforce that no resource declares.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ControlObject } from "./resource";
import { registerStandingGauges } from "./standing-gauges";

/** The cached objects of one kind, as the leader's informers hold them. */
export interface CachedControls {
  readonly kind: string;
  readonly objects: () => Iterable<ControlObject>;
}

export interface OperatorMetrics {
  readonly registry: Registry;
  readonly reconciles: Counter<"kind" | "result">;
  readonly reconcileDuration: Histogram<"kind">;
  readonly queueDepth: Gauge<"kind">;
  readonly controlsInForce: Gauge<"kind">;
  readonly leader: Gauge;
  readonly timeToEnforce: Histogram<"kind">;
  readonly unmanagedControls: Gauge<"service" | "kind">;
  readonly unmanagedScans: Counter<"service" | "result">;
  readonly eventsDropped: Counter;
  /** Where the standing gauges read from; empty on a standby (it caches nothing). */
  observeControls(source: () => readonly CachedControls[]): void;
}

export function createMetrics(): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let source: () => readonly CachedControls[] = () => [];
  registerStandingGauges(registry, () => source());
  return {
    registry,
    reconciles: new Counter({
      name: "breakwater_operator_reconciles_total",
      help: "Reconciles by control kind and result (success, requeue, conflict, error).",
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
    timeToEnforce: new Histogram({
      name: "breakwater_operator_time_to_enforce_seconds",
      help: "From a control being due (created, changed or approved) to every live replica enforcing it, by kind.",
      labelNames: ["kind"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    unmanagedControls: new Gauge({
      name: "breakwater_operator_unmanaged_controls",
      help: "Controls a service enforces that no control resource declares (a break-glass PUT, or one left behind), by service and kind.",
      labelNames: ["service", "kind"],
      registers: [registry],
    }),
    unmanagedScans: new Counter({
      name: "breakwater_operator_unmanaged_scans_total",
      help: "Comparisons of a service's controls with the control resources, by service and result (ok, error).",
      labelNames: ["service", "result"],
      registers: [registry],
    }),
    eventsDropped: new Counter({
      name: "breakwater_operator_events_dropped_total",
      help: "Kubernetes Events not recorded because too many were waiting to be sent (a burst of phase changes).",
      registers: [registry],
    }),
    observeControls(next) {
      source = next;
    },
  };
}
