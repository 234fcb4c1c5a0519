/**
 * @module The autopilot's alert: its platform-wide budget of controls enforced without a
 * person is spent, so every decision now waits for approval.
 */
import type { Environment } from "../../environments";
import type { AlertGroup } from "./alert-group";
import { alertRule } from "./alert-rule";

export const autopilotComponent = "autopilot";

/**
 * The leader's gauge only: a follower decides nothing and keeps its starting value, so the
 * replica that holds the Lease (`autopilot_leader == 1`) is the one that counts.
 */
const budgetExpr =
  "max by (namespace) (autopilot_budget_remaining and on (instance) autopilot_leader == 1) == 0";

export function autopilotAlerts(environment: Environment): AlertGroup {
  const rules = [
    alertRule(
      {
        name: "AutopilotBudgetExhausted",
        component: autopilotComponent,
        severity: "warning",
        expr: budgetExpr,
        forDuration: "1m",
        summary: "The autopilot's automation budget is spent; its decisions wait for approval.",
        description:
          "The autopilot in {{ $labels.namespace }} created as many controls without a person as its budget allows in the window; every new decision is created awaiting approval (annotate ops.breakwater.dev/approved-by) until the window moves on.",
      },
      environment.gitops,
    ),
  ];
  return { component: autopilotComponent, name: `breakwater.${autopilotComponent}`, rules };
}
