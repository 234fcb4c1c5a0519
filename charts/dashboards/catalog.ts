/**
 * @module Every dashboard of one environment: the operator's Controls dashboard, one per
 * enabled service that has one, and the data plane's "DB/Prod" and "Redis/Cache".
 */
import type { Environment } from "../../environments";
import { controlsDashboard } from "./controls-dashboard";
import type { DashboardDefinition } from "./dashboard-definition";
import { databaseDashboard, redisDashboard } from "./data-plane-dashboards";
import { paymentsDashboard } from "./payments-dashboard";

export function dashboards(environment: Environment): DashboardDefinition[] {
  const services = environment.services.payments.enabled ? [paymentsDashboard()] : [];
  return [controlsDashboard(), ...services, databaseDashboard(environment), redisDashboard()];
}
