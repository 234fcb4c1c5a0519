/**
 * @module The autopilot's Prometheus metrics: every decision by rule and outcome, every
 * resolution it recorded, the platform budget left, and whether this replica decides.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/** What one alert led to; each is a value of `autopilot_decisions_total{outcome}`. */
export const decisionOutcomes = [
  "created",
  "deduplicated",
  "cooled_down",
  "rate_limited",
  "over_budget",
  "dry_run",
  "approval_requested",
  "invalid",
] as const;
export type DecisionOutcome = (typeof decisionOutcomes)[number];

export interface AutopilotMetrics {
  readonly registry: Registry;
  readonly decisions: Counter<"rule" | "outcome">;
  readonly resolutions: Counter<"rule" | "outcome">;
  readonly budgetRemaining: Gauge;
  readonly leader: Gauge;
}

export function createAutopilotMetrics(): AutopilotMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    decisions: new Counter({
      name: "autopilot_decisions_total",
      help: "Decisions on firing alerts, by automation rule and outcome.",
      labelNames: ["rule", "outcome"],
      registers: [registry],
    }),
    resolutions: new Counter({
      name: "autopilot_resolutions_total",
      help: "Resolved alerts whose control was found: recorded on it (a person lifts) or lifted.",
      labelNames: ["rule", "outcome"],
      registers: [registry],
    }),
    budgetRemaining: new Gauge({
      name: "autopilot_budget_remaining",
      help: "Controls the autopilot may still create without approval in the budget window.",
      registers: [registry],
    }),
    leader: new Gauge({
      name: "autopilot_leader",
      help: "1 while this replica holds the autopilot Lease and decides, 0 while it forwards.",
      registers: [registry],
    }),
  };
}
