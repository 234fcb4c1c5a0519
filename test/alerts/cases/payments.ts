/**
 * @module promtool cases for the payments alerts of seed 000, each with the situation that must
 * fire and the ones that must stay quiet (old findings, evenings and weekends, a steady
 * baseline, a recovered worker, other outcomes and other services).
 */
import type { AlertGroup } from "../../../charts/alerts/alert-group";
import { firing, payments, type RuleCase, ruleNamed, series } from "../rule-cases";

const pod = { ...payments, pod: "payments-7d9f-abcde" };

function metric(name: string, labels: Record<string, string>, values: string) {
  return { series: series(name, { ...pod, ...labels }), values };
}

function ledgerCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "PaymentsLedgerImbalance");
  const usd = (values: string) => metric("ledger_imbalance_total", { currency: "USD" }, values);
  const fires = firing(
    rule,
    { ...payments, currency: "USD" },
    "Reconciliation of payments in breakwater-services found the USD ledger out of balance in the last 5m: its entries do not sum to zero, or a balance differs from its entries. Freeze payouts in USD and reconcile.",
  );
  return [
    {
      name: "PaymentsLedgerImbalance fires at once when the counter increases",
      input_series: [usd("0 0 0 0 0 1 1 1 1 1 1 1 1 1 1")],
      alert_rule_test: [
        { eval_time: "4m", alertname: rule.name, exp_alerts: [] },
        { eval_time: "6m", alertname: rule.name, exp_alerts: [fires] },
      ],
    },
    {
      name: "PaymentsLedgerImbalance fires on a currency's first finding (the series appears at 1)",
      input_series: [usd("_x5 1x10")],
      alert_rule_test: [{ eval_time: "6m", alertname: rule.name, exp_alerts: [fires] }],
    },
    {
      name: "PaymentsLedgerImbalance stays quiet once a finding is older than 5m",
      input_series: [usd("0 1x30")],
      alert_rule_test: [{ eval_time: "20m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function manualReviewCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "PaymentsManualReviewQueueNotEmpty");
  const queue = (values: string) => metric("payout_manual_review_queue_size", {}, values);
  const fires = firing(
    rule,
    payments,
    "3 payouts of payments in breakwater-services have been waiting for a human decision for 15m or more (business hours 9:00–18:00 UTC, Monday to Friday).",
  );
  return [
    {
      name: "PaymentsManualReviewQueueNotEmpty fires 15m into Thursday's business hours, not at night",
      input_series: [queue("3x1300")],
      alert_rule_test: [
        { eval_time: "8h30m", alertname: rule.name, exp_alerts: [] },
        { eval_time: "9h10m", alertname: rule.name, exp_alerts: [] },
        { eval_time: "9h20m", alertname: rule.name, exp_alerts: [fires] },
        { eval_time: "17h50m", alertname: rule.name, exp_alerts: [fires] },
        { eval_time: "18h10m", alertname: rule.name, exp_alerts: [] },
      ],
    },
    {
      name: "PaymentsManualReviewQueueNotEmpty stays quiet on Saturday and when the queue is empty",
      interval: "5m",
      input_series: [
        queue("3x900"),
        metric("payout_manual_review_queue_size", { pod: "b" }, "0x900"),
      ],
      alert_rule_test: [
        // 1970-01-03 was a Saturday.
        { eval_time: "58h", alertname: rule.name, exp_alerts: [] },
        // Friday 10:00 the same queue does fire, so Saturday's silence is the weekday check.
        { eval_time: "34h", alertname: rule.name, exp_alerts: [fires] },
      ],
    },
    {
      name: "PaymentsManualReviewQueueNotEmpty stays quiet with an empty queue in business hours",
      input_series: [queue("0x720")],
      alert_rule_test: [{ eval_time: "10h", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function payoutSpikeCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "PaymentsPayoutWorkerFailureSpike");
  const failed = (values: string) =>
    metric("worker_runs_total", { worker: "payout", result: "failed" }, values);
  const fires = firing(
    rule,
    payments,
    "The payout worker of payments in breakwater-services fails 0.167 runs/s over 10m, more than 3x its rate over the 1d before; payouts are not going out.",
  );
  return [
    {
      name: "PaymentsPayoutWorkerFailureSpike fires when failures jump after a clean day",
      input_series: [failed("0x1440 0+10x30")],
      alert_rule_test: [
        { eval_time: "1440m", alertname: rule.name, exp_alerts: [] },
        { eval_time: "1460m", alertname: rule.name, exp_alerts: [fires] },
      ],
    },
    {
      name: "PaymentsPayoutWorkerFailureSpike fires for a replica with no baseline yet",
      input_series: [failed("_x1440 0+10x30")],
      alert_rule_test: [{ eval_time: "1451m", alertname: rule.name, exp_alerts: [fires] }],
    },
    {
      name: "PaymentsPayoutWorkerFailureSpike stays quiet at a steady failure rate",
      input_series: [failed("0+10x1470")],
      alert_rule_test: [{ eval_time: "1460m", alertname: rule.name, exp_alerts: [] }],
    },
    {
      name: "PaymentsPayoutWorkerFailureSpike stays quiet for fewer than 5 failures",
      input_series: [failed("0x1440 1 2 3 3 3 3 3 3 3 3")],
      alert_rule_test: [{ eval_time: "1446m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function reconciliationCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "PaymentsReconciliationFailing");
  const runs = (result: string, values: string) =>
    metric("worker_runs_total", { worker: "reconciliation", result }, values);
  return [
    {
      name: "PaymentsReconciliationFailing fires after an hour of failed runs, not before",
      input_series: [runs("failed", "0+1x100"), runs("success", "0x100")],
      alert_rule_test: [
        { eval_time: "50m", alertname: rule.name, exp_alerts: [] },
        {
          eval_time: "70m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              payments,
              "The reconciliation worker of payments in breakwater-services has had failed runs in every 15m for 60m; ledger imbalances go unseen while it fails.",
            ),
          ],
        },
      ],
    },
    {
      name: "PaymentsReconciliationFailing stays quiet when the worker recovered within the hour",
      input_series: [runs("failed", "0+1x20 20x80"), runs("success", "0x20 0+1x80")],
      alert_rule_test: [{ eval_time: "70m", alertname: rule.name, exp_alerts: [] }],
    },
    {
      name: "PaymentsReconciliationFailing ignores another worker's failures",
      input_series: [
        metric("worker_runs_total", { worker: "payout", result: "failed" }, "0+1x100"),
      ],
      alert_rule_test: [{ eval_time: "70m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function idempotencyCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "PaymentsIdempotencyStoreErrors");
  const outcome = (name: string, values: string, labels: Record<string, string> = {}) =>
    metric("idempotency_events_total", { outcome: name, ...labels }, values);
  return [
    {
      name: "PaymentsIdempotencyStoreErrors fires after 10m of reserve errors, not before",
      input_series: [outcome("reserved", "0+100x40"), outcome("reserve_error", "0+2x40")],
      alert_rule_test: [
        { eval_time: "5m", alertname: rule.name, exp_alerts: [] },
        {
          eval_time: "20m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              { ...payments, outcome: "reserve_error" },
              "payments in breakwater-services has recorded idempotency reserve_error for 10m (0.033/s): money-moving requests are refused (reserve_error) or their answers are not stored (finalize_error).",
            ),
          ],
        },
      ],
    },
    {
      name: "PaymentsIdempotencyStoreErrors stays quiet for a single finalize error, conflicts and other services",
      input_series: [
        outcome("finalize_error", "0 1x40"),
        outcome("conflict", "0+50x40"),
        outcome("in_progress", "0+50x40"),
        outcome("reserve_error", "0+5x40", { service: "purchasing" }),
      ],
      alert_rule_test: [{ eval_time: "20m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function webhookCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "PaymentsWebhookDeliveriesFailing");
  const attempts = (source: string, outcome: string, values: string) =>
    metric("webhook_attempts_total", { source, outcome }, values);
  return [
    {
      name: "PaymentsWebhookDeliveriesFailing fires after 10m of failed deliveries, not before",
      input_series: [
        attempts("delivery", "failed", "0+1x40"),
        attempts("delivery", "succeeded", "0+10x40"),
      ],
      alert_rule_test: [
        { eval_time: "5m", alertname: rule.name, exp_alerts: [] },
        {
          eval_time: "20m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              payments,
              "payments in breakwater-services has failed to process 15 PSP webhook deliveries in the last 15m, for 10m; list them with GET /v1/webhooks/events?status=failed and replay each with a WebhookReplay once its cause is fixed.",
            ),
          ],
        },
      ],
    },
    {
      name: "PaymentsWebhookDeliveriesFailing stays quiet for one old failure, failed replays and other services",
      input_series: [
        attempts("delivery", "failed", "0 1x60"),
        attempts("replay", "failed", "0+1x60"),
        {
          series: series("webhook_attempts_total", {
            ...pod,
            service: "escrow",
            source: "delivery",
            outcome: "failed",
          }),
          values: "0+1x60",
        },
      ],
      alert_rule_test: [{ eval_time: "40m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

export function paymentsCases(group: AlertGroup): RuleCase[] {
  return [
    ...ledgerCases(group),
    ...manualReviewCases(group),
    ...payoutSpikeCases(group),
    ...reconciliationCases(group),
    ...idempotencyCases(group),
    ...webhookCases(group),
  ];
}
