/**
 * @module Every dashboard of one environment: one per enabled service that has one.
 */
import type { Environment } from "../../environments";
import type { DashboardDefinition } from "./dashboard-definition";
import { paymentsDashboard } from "./payments-dashboard";
import { transactionsDashboard } from "./transactions-dashboard";

export function dashboards(environment: Environment): DashboardDefinition[] {
  return [
    ...(environment.services.payments.enabled ? [paymentsDashboard()] : []),
    ...(environment.services.purchasing.enabled ? [transactionsDashboard()] : []),
  ];
}
