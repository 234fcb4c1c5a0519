/**
 * @module The metrics purchasing adds to the kit's registry: purchases by provider and
 * result (HighPurchaseFailureRate), provider calls, each provider's breaker state and its
 * changes (breaker flapping), and reservations pending past their deadline
 * (StuckReservations).
 */
import { Counter, Gauge, Histogram } from "prom-client";
import type { ServiceMetrics } from "../kit/metrics";

export type PurchaseResult = "completed" | "failed" | "pending";
export type ProviderOutcome = "completed" | "declined" | "failed" | "timeout" | "rejected";
export type BreakerStateName = "closed" | "half_open" | "open";

/** `provider_circuit_state` values: the breaker state as a number a graph can step through. */
export const breakerStateValue: Record<BreakerStateName, number> = {
  closed: 0,
  half_open: 1,
  open: 2,
};

export interface PurchasingMetrics {
  /** `purchases_total{provider,result}`: how purchases ended (`provider="none"` when none took it). */
  readonly purchases: Counter<"provider" | "result">;
  /** `provider_requests_total{provider,outcome}`: calls by outcome (`rejected`: breaker open). */
  readonly providerRequests: Counter<"provider" | "outcome">;
  /** `provider_request_duration_seconds{provider}`. */
  readonly providerRequestDuration: Histogram<"provider">;
  /** `provider_circuit_state{provider}`: 0 closed, 1 half-open, 2 open (this replica). */
  readonly circuitState: Gauge<"provider">;
  /** `provider_circuit_transitions_total{provider,state}`: changes into each state. */
  readonly circuitTransitions: Counter<"provider" | "state">;
  /** `purchase_reservations_stuck`: purchases pending past their deadline, last counted. */
  readonly reservationsStuck: Gauge;
  /** `purchase_reconciliations_total{action}`: completed, released, locked, unresolved. */
  readonly reconciliations: Counter<"action">;
}

/** Register purchasing's metrics beside the kit's. */
export function createPurchasingMetrics(metrics: ServiceMetrics): PurchasingMetrics {
  const registers = [metrics.registry];
  const purchases = new Counter({
    name: "purchases_total",
    help: "Purchases by the provider that took them (none when no provider did) and result.",
    labelNames: ["provider", "result"] as const,
    registers,
  });
  // Zero series from the start, so the failure ratio is defined before the first failure.
  for (const result of ["completed", "failed"]) purchases.inc({ provider: "none", result }, 0);
  const reconciliations = new Counter({
    name: "purchase_reconciliations_total",
    help: "Stuck purchases the reconciliation worker looked at, by what it did: completed, released, locked (held by another), unresolved (provider unreachable).",
    labelNames: ["action"] as const,
    registers,
  });
  for (const action of ["completed", "released", "locked", "unresolved"])
    reconciliations.inc({ action }, 0);
  return {
    purchases,
    providerRequests: new Counter({
      name: "provider_requests_total",
      help: "Calls to providers by outcome: completed, declined (4xx), failed (429, 5xx, unreachable), timeout, rejected (breaker open).",
      labelNames: ["provider", "outcome"] as const,
      registers,
    }),
    providerRequestDuration: new Histogram({
      name: "provider_request_duration_seconds",
      help: "Duration of calls to providers.",
      labelNames: ["provider"] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    circuitState: new Gauge({
      name: "provider_circuit_state",
      help: "This replica's circuit breaker state per provider: 0 closed, 1 half-open, 2 open.",
      labelNames: ["provider"] as const,
      registers,
    }),
    circuitTransitions: new Counter({
      name: "provider_circuit_transitions_total",
      help: "Circuit breaker state changes per provider, by the state entered.",
      labelNames: ["provider", "state"] as const,
      registers,
    }),
    reservationsStuck: new Gauge({
      name: "purchase_reservations_stuck",
      help: "Purchases pending past their reservation deadline, as last counted by reconciliation.",
      registers,
    }),
    reconciliations,
  };
}
