/**
 * @module Every dashboard of one environment: the operator's Controls dashboard, and one per
 * enabled service that has one.
 */
import type { Environment } from "../../environments";
import { controlsDashboard } from "./controls-dashboard";
import type { DashboardDefinition } from "./dashboard-definition";
import { paymentsDashboard } from "./payments-dashboard";

export function dashboards(environment: Environment): DashboardDefinition[] {
  return [
    controlsDashboard(),
    ...(environment.services.payments.enabled ? [paymentsDashboard()] : []),
  ];
}
