/**
 * @module The limits on what the autopilot creates, as pure functions of its state: the
 * cooldown of a target after its control was lifted, the rate per rule, and the
 * platform-wide budget of controls enforced without a human.
 */
import type { ActiveRule } from "../../policies/automation/load-rules";
import { type AutopilotState, liftKey } from "./state-store";

export interface Budget {
  readonly count: number;
  readonly windowMs: number;
}

/** Whether the target's last control was lifted less than the rule's cooldown ago. */
export function coolingDown(
  state: AutopilotState,
  rule: ActiveRule,
  target: string,
  nowMs: number,
): boolean {
  const liftedAtMs = state.lifted[liftKey(rule.name, target)];
  return liftedAtMs !== undefined && nowMs - liftedAtMs < rule.limits.cooldownMinutes * 60_000;
}

/** Whether the rule already created its most controls in its window. */
export function rateLimited(state: AutopilotState, rule: ActiveRule, nowMs: number): boolean {
  const windowMs = rule.limits.windowMinutes * 60_000;
  const recent = state.created.filter(
    (entry) => entry.rule === rule.name && nowMs - entry.atMs < windowMs,
  );
  return recent.length >= rule.limits.perWindow;
}

/** Controls the platform may still enforce without a human in the budget window. */
export function budgetRemaining(state: AutopilotState, budget: Budget, nowMs: number): number {
  const used = state.created.filter(
    (entry) => entry.automatic && nowMs - entry.atMs < budget.windowMs,
  ).length;
  return Math.max(0, budget.count - used);
}

/** How long the state must remember anything for these rules and this budget. */
export function memoryMs(rules: readonly ActiveRule[], budget: Budget): number {
  return Math.max(
    budget.windowMs,
    ...rules.map((rule) => rule.limits.windowMinutes * 60_000),
    ...rules.map((rule) => rule.limits.cooldownMinutes * 60_000),
  );
}
