/**
 * @module The purchasing service's alerts, from seed 001: `HighPurchaseFailureRate` (SEV-1:
 * more than `purchaseFailureRatio` of purchases failing), `StuckReservations` (SEV-2: more
 * than `stuckReservationsCount` purchases pending past their deadline) and a provider's
 * breaker flapping (SEV-3: it keeps opening). The seed's SEV levels map to severities as
 * the routes page: SEV-1 and SEV-2 are `critical` (pages), SEV-3 `warning` (a ticket).
 * `OutboxProcessingFailed` is the kit's (outbox-alerts.ts), for every service.
 */
import type { Environment } from "../../environments";
import type { AlertGroup } from "./alert-group";
import { type AlertRuleProps, alertRule } from "./alert-rule";
import { fixedAlertThresholds as fixed } from "./fixed-thresholds";

export const purchasingComponent = "purchasing";

const scope = 'service="purchasing"';
const by = "namespace, service";

type Thresholds = Environment["alerts"];
type PurchasingAlert = Omit<AlertRuleProps, "component">;

/** Failed purchases over every purchase that ended, when enough ended to judge. */
function failureRateExpr(ratio: number): string {
  const { window, minimumPurchases } = fixed.purchaseFailure;
  const ended = `purchases_total{${scope},result=~"completed|failed"}`;
  const failed = `sum by (${by}) (increase(purchases_total{${scope},result="failed"}[${window}]))`;
  const total = `sum by (${by}) (increase(${ended}[${window}]))`;
  return `(${failed} / ${total}) > ${ratio}\nand ${total} >= ${minimumPurchases}`;
}

function highFailureRate(thresholds: Thresholds): PurchasingAlert {
  const percent = Math.round(thresholds.purchaseFailureRatio * 100);
  return {
    name: "HighPurchaseFailureRate",
    seedName: true,
    severity: "critical",
    expr: failureRateExpr(thresholds.purchaseFailureRatio),
    forDuration: fixed.purchaseFailure.sustained,
    summary: "More purchases are failing than the runbook allows.",
    description: `{{ $value | humanizePercentage }} of the purchases of {{ $labels.service }} in {{ $labels.namespace }} failed over the last ${fixed.purchaseFailure.window} (threshold ${percent}%). Check the Transactions dashboard: one provider or all?`,
  };
}

function stuckReservations(thresholds: Thresholds): PurchasingAlert {
  const count = thresholds.stuckReservationsCount;
  return {
    name: "StuckReservations",
    seedName: true,
    severity: "critical",
    expr: `max by (${by}) (purchase_reservations_stuck{${scope}}) > ${count}`,
    forDuration: fixed.stuckReservationsSustained,
    summary: "Purchases are pending past their reservation deadline.",
    description: `{{ $value }} purchases of {{ $labels.service }} in {{ $labels.namespace }} are pending past their deadline (threshold ${count}). Force a reconciliation run and look for held locks.`,
  };
}

function breakerFlapping(): PurchasingAlert {
  const { window, openings } = fixed.breakerFlapping;
  const opened = `provider_circuit_transitions_total{${scope},state="open"}`;
  return {
    name: "PurchasingProviderBreakerFlapping",
    severity: "warning",
    expr: `sum by (${by}, provider) (increase(${opened}[${window}])) >= ${openings}`,
    summary: "A provider's circuit breaker keeps opening.",
    description: `The breaker of provider {{ $labels.provider }} in {{ $labels.service }} ({{ $labels.namespace }}) opened {{ $value | printf "%.0f" }} times in ${window}: it flaps between OPEN and CLOSED. Disable the provider with a ProviderDisable.`,
  };
}

/** The purchasing alert group for `environment`. */
export function purchasingAlerts(environment: Environment): AlertGroup {
  const thresholds = environment.alerts;
  const rules = [highFailureRate(thresholds), stuckReservations(thresholds), breakerFlapping()].map(
    (props) => alertRule({ ...props, component: purchasingComponent }, environment.gitops),
  );
  return { component: purchasingComponent, name: `breakwater.${purchasingComponent}`, rules };
}
