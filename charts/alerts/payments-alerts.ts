/**
 * @module The payments service's alerts, from seed 000's "Recommended Alerts": ledger
 * imbalance, the manual review queue during business hours, payout worker failure spikes,
 * reconciliation failing for an hour, and sustained idempotency store errors; and seed 003's
 * PSP webhook failures.
 */
import type { Environment } from "../../environments";
import type { AlertGroup } from "./alert-group";
import { type AlertRuleProps, alertRule } from "./alert-rule";
import { fixedAlertThresholds as fixed } from "./fixed-thresholds";

export const paymentsComponent = "payments";

/**
 * Every payments series is scoped to the service, so a later service's workers never match.
 * `service` is both the kit's default metric label and the ServiceMonitor's target label (the
 * Kubernetes Service's name); the two agree, so either way it reads `payments`.
 */
const scope = 'service="payments"';
const by = "namespace, service";

function workerFailures(worker: string): string {
  return `worker_runs_total{${scope},worker="${worker}",result="failed"}`;
}

/**
 * Any increase in the window, or a currency's series that appeared within it: the counter is
 * created at its first finding, and `increase()` cannot see a series' first sample.
 */
function ledgerImbalanceExpr(window: string): string {
  const series = `ledger_imbalance_total{${scope}}`;
  return [
    `sum by (${by}, currency) (increase(${series}[${window}])) > 0`,
    `or`,
    `sum by (${by}, currency) (${series} unless ${series} offset ${window}) > 0`,
  ].join("\n");
}

/** True (a 1-sample vector) during business hours in UTC; see `fixedAlertThresholds`. */
export function businessHoursExpr(): string {
  const hours = fixed.businessHours;
  return [
    `and on () (hour() >= ${hours.startHourUtc} and hour() < ${hours.endHourUtc})`,
    `and on () (day_of_week() >= ${hours.firstWeekday} and day_of_week() <= ${hours.lastWeekday})`,
  ].join("\n");
}

/** Failure rate over the window above `factor` × the baseline before it (0 when none yet). */
function payoutFailureSpikeExpr(): string {
  const { window, baselineWindow, factor, minimumFailures } = fixed.payoutFailureSpike;
  const failures = workerFailures("payout");
  const current = `sum by (${by}) (rate(${failures}[${window}]))`;
  const baseline = `sum by (${by}) (rate(${failures}[${baselineWindow}] offset ${window}))`;
  return [
    `${current}`,
    `> ${factor} * (${baseline} or ${current} * 0)`,
    `and sum by (${by}) (increase(${failures}[${window}])) >= ${minimumFailures}`,
  ].join("\n");
}

type Thresholds = Environment["alerts"];
type PaymentsAlert = Omit<AlertRuleProps, "component">;

function ledgerImbalance(thresholds: Thresholds): PaymentsAlert {
  const window = `${thresholds.ledgerImbalanceWindowMinutes}m`;
  return {
    name: "PaymentsLedgerImbalance",
    severity: "critical",
    expr: ledgerImbalanceExpr(window),
    summary: "Reconciliation found the ledger out of balance.",
    description: `Reconciliation of {{ $labels.service }} in {{ $labels.namespace }} found the {{ $labels.currency }} ledger out of balance in the last ${window}: its entries do not sum to zero, or a balance differs from its entries. Freeze payouts in {{ $labels.currency }} and reconcile.`,
  };
}

function manualReviewQueue(thresholds: Thresholds): PaymentsAlert {
  const hours = fixed.businessHours;
  const minutes = thresholds.manualReviewQueueMinutes;
  return {
    name: "PaymentsManualReviewQueueNotEmpty",
    severity: "warning",
    expr: `max by (${by}) (payout_manual_review_queue_size{${scope}}) > 0\n${businessHoursExpr()}`,
    forDuration: `${minutes}m`,
    summary: "Payouts are waiting in manual review during business hours.",
    description: `{{ $value }} payouts of {{ $labels.service }} in {{ $labels.namespace }} have been waiting for a human decision for ${minutes}m or more (business hours ${hours.startHourUtc}:00–${hours.endHourUtc}:00 UTC, Monday to Friday).`,
  };
}

function payoutFailureSpike(): PaymentsAlert {
  const spike = fixed.payoutFailureSpike;
  return {
    name: "PaymentsPayoutWorkerFailureSpike",
    severity: "critical",
    expr: payoutFailureSpikeExpr(),
    summary: "The payout worker fails far more often than its baseline.",
    description: `The payout worker of {{ $labels.service }} in {{ $labels.namespace }} fails {{ $value | printf "%.3f" }} runs/s over ${spike.window}, more than ${spike.factor}x its rate over the ${spike.baselineWindow} before; payouts are not going out.`,
  };
}

function reconciliationFailing(thresholds: Thresholds): PaymentsAlert {
  const lookback = fixed.reconciliationLookback;
  const minutes = thresholds.reconciliationFailedMinutes;
  return {
    name: "PaymentsReconciliationFailing",
    severity: "warning",
    expr: `sum by (${by}) (increase(${workerFailures("reconciliation")}[${lookback}])) > 0`,
    forDuration: `${minutes}m`,
    summary: "The reconciliation worker has been failing for an hour.",
    description: `The reconciliation worker of {{ $labels.service }} in {{ $labels.namespace }} has had failed runs in every ${lookback} for ${minutes}m; ledger imbalances go unseen while it fails.`,
  };
}

function idempotencyStoreErrors(): PaymentsAlert {
  const sustained = fixed.idempotencyErrorsSustained;
  const errors = `idempotency_events_total{${scope},outcome=~"reserve_error|finalize_error"}`;
  return {
    name: "PaymentsIdempotencyStoreErrors",
    severity: "critical",
    expr: `sum by (${by}, outcome) (rate(${errors}[${fixed.rateWindow}])) > 0`,
    forDuration: sustained,
    summary: "The idempotency store keeps failing to reserve or finalize keys.",
    description: `{{ $labels.service }} in {{ $labels.namespace }} has recorded idempotency {{ $labels.outcome }} for ${sustained} ({{ $value | printf "%.3f" }}/s): money-moving requests are refused (reserve_error) or their answers are not stored (finalize_error).`,
  };
}

function webhookDeliveriesFailing(): PaymentsAlert {
  const { window, sustained } = fixed.webhookFailures;
  const failed = `webhook_attempts_total{${scope},source="delivery",outcome="failed"}`;
  return {
    name: "PaymentsWebhookDeliveriesFailing",
    severity: "warning",
    expr: `sum by (${by}) (increase(${failed}[${window}])) > 0`,
    forDuration: sustained,
    summary: "PSP webhook deliveries keep failing to process.",
    description: `{{ $labels.service }} in {{ $labels.namespace }} has failed to process {{ $value | printf "%.0f" }} PSP webhook deliveries in the last ${window}, for ${sustained}; list them with GET /v1/webhooks/events?status=failed and replay each with a WebhookReplay once its cause is fixed.`,
  };
}

/** The payments alert group for one environment's thresholds. */
export function paymentsAlerts(environment: Environment): AlertGroup {
  const thresholds = environment.alerts;
  const alerts = [
    ledgerImbalance(thresholds),
    manualReviewQueue(thresholds),
    payoutFailureSpike(),
    reconciliationFailing(thresholds),
    idempotencyStoreErrors(),
    webhookDeliveriesFailing(),
  ];
  const rules = alerts.map((alert) =>
    alertRule({ ...alert, component: paymentsComponent }, environment.gitops),
  );
  return { component: paymentsComponent, name: `breakwater.${paymentsComponent}`, rules };
}
