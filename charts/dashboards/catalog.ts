/**
 * @module Every dashboard of one environment: "Service Overview" of every service, the
 * operator's Controls dashboard, one per enabled service that has one, and the data plane's
 * "DB/Prod" and "Redis/Cache".
 */
import type { Environment } from "../../environments";
import { controlsDashboard } from "./controls-dashboard";
import type { DashboardDefinition } from "./dashboard-definition";
import { databaseDashboard, redisDashboard } from "./data-plane-dashboards";
import { escrowDashboard } from "./escrow-dashboard";
import { exchangeDashboard } from "./exchange-dashboard";
import { exchangeEdgeDashboard } from "./exchange-edge-dashboard";
import { paymentsDashboard } from "./payments-dashboard";
import { serviceOverviewDashboard } from "./service-overview-dashboard";
import { transactionsDashboard } from "./transactions-dashboard";

export function dashboards(environment: Environment): DashboardDefinition[] {
  return [
    serviceOverviewDashboard(environment),
    controlsDashboard(),
    ...(environment.services.payments.enabled ? [paymentsDashboard()] : []),
    ...(environment.services.purchasing.enabled ? [transactionsDashboard()] : []),
    ...(environment.services["exchange-edge"].enabled ? [exchangeEdgeDashboard()] : []),
    ...(environment.services.exchange.enabled ? [exchangeDashboard()] : []),
    ...(environment.services.escrow.enabled ? [escrowDashboard()] : []),
    databaseDashboard(environment),
    redisDashboard(),
  ];
}
