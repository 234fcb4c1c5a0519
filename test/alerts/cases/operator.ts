/**
 * @module promtool cases for the control operator's alerts: each fires in the situation it
 * names and stays quiet in the one next to it (a failover, a recovered burst, a control
 * enforced in time, an approval given, a LockFlush deleted, a break-glass control lifted).
 */
import type { AlertGroup } from "../../../charts/alerts/alert-group";
import { firing, type RuleCase, ruleNamed, series } from "../rule-cases";

/** The labels the operator's ServiceMonitor scrape adds. */
const system = { namespace: "breakwater-system", job: "breakwater-operator" } as const;

function gauge(name: string, labels: Record<string, string>, values: string) {
  return { series: series(name, { ...system, ...labels }), values };
}

function leaderCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "OperatorNoLeader");
  const leader = (pod: string, values: string) =>
    gauge("breakwater_operator_leader", { pod }, values);
  return [
    {
      name: "OperatorNoLeader fires when neither replica has led for 2m",
      input_series: [leader("operator-a", "1x3 0x20"), leader("operator-b", "0x23")],
      alert_rule_test: [
        { eval_time: "4m", alertname: rule.name, exp_alerts: [] },
        {
          eval_time: "8m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              {},
              "For 2m no operator replica has led (0 leaders): controls are neither applied, lifted nor expired, and deleted ones stay Terminating.",
            ),
          ],
        },
      ],
    },
    {
      name: "OperatorNoLeader fires when no operator is scraped at all",
      input_series: [gauge("up", { pod: "payments-1" }, "1x10")],
      alert_rule_test: [
        {
          eval_time: "5m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              {},
              "For 2m no operator replica has led (0 leaders): controls are neither applied, lifted nor expired, and deleted ones stay Terminating.",
            ),
          ],
        },
      ],
    },
    {
      name: "OperatorNoLeader stays quiet through a failover",
      input_series: [leader("operator-a", "1x5 0x20"), leader("operator-b", "0x6 1x20")],
      alert_rule_test: [
        { eval_time: "6m", alertname: rule.name, exp_alerts: [] },
        { eval_time: "15m", alertname: rule.name, exp_alerts: [] },
      ],
    },
  ];
}

function reconcileCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "OperatorReconcileErrors");
  const errors = (values: string) =>
    gauge(
      "breakwater_operator_reconciles_total",
      { pod: "operator-a", kind: "WithdrawalHalt", result: "error" },
      values,
    );
  return [
    {
      name: "OperatorReconcileErrors fires after 10m of failing reconciles",
      input_series: [errors("0+6x40")],
      alert_rule_test: [
        { eval_time: "8m", alertname: rule.name, exp_alerts: [] },
        {
          eval_time: "20m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              { namespace: system.namespace, kind: "WithdrawalHalt" },
              "WithdrawalHalt reconciles in breakwater-system have failed for 10m (0.10 errors/s); the operator retries with backoff.",
            ),
          ],
        },
      ],
    },
    {
      name: "OperatorReconcileErrors stays quiet after a burst that recovered",
      input_series: [errors("0+10x3 30x40")],
      alert_rule_test: [{ eval_time: "20m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function notEnforcedCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "OperatorControlNotEnforced");
  const oldest = (values: string) =>
    gauge(
      "breakwater_operator_oldest_not_enforced_seconds",
      { pod: "operator-a", kind: "WithdrawalHalt" },
      values,
    );
  return [
    {
      name: "OperatorControlNotEnforced fires once a due control is past its 60s deadline",
      input_series: [oldest("0 0 0 30 90 150 210")],
      alert_rule_test: [
        { eval_time: "3m", alertname: rule.name, exp_alerts: [] },
        {
          eval_time: "5m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              { namespace: system.namespace, kind: "WithdrawalHalt" },
              "A WithdrawalHalt has been due for 2m 30s without every live replica enforcing it (deadline 60s): the incident it answers is not contained.",
            ),
          ],
        },
      ],
    },
    {
      name: "OperatorControlNotEnforced stays quiet while controls are enforced within seconds",
      input_series: [oldest("0 0.2 0 0 0.3 0 0x10")],
      alert_rule_test: [{ eval_time: "10m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function approvalCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "OperatorApprovalWaiting");
  const oldest = (values: string) =>
    gauge(
      "breakwater_operator_oldest_approval_wait_seconds",
      { pod: "operator-a", kind: "WithdrawalHalt" },
      values,
    );
  return [
    {
      name: "OperatorApprovalWaiting fires when a control has waited more than 30m",
      input_series: [oldest("0+60x40")],
      alert_rule_test: [
        { eval_time: "25m", alertname: rule.name, exp_alerts: [] },
        {
          eval_time: "35m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              { namespace: system.namespace, kind: "WithdrawalHalt" },
              "A WithdrawalHalt has been held for approval for 35m 0s (more than 30m); it does nothing until someone with the approve permission approves or deletes it.",
            ),
          ],
        },
      ],
    },
    {
      name: "OperatorApprovalWaiting stays quiet when the approval came within 30m",
      input_series: [oldest("0+60x20 0x20")],
      alert_rule_test: [{ eval_time: "35m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function lockFlushCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "OperatorLockFlushInterrupted");
  const interrupted = (values: string) =>
    gauge(
      "breakwater_operator_lock_flush_interrupted",
      // honorLabels: the object's namespace, not the operator's.
      { pod: "operator-a", namespace: "breakwater-services", name: "flush-purchase-locks" },
      values,
    );
  return [
    {
      name: "OperatorLockFlushInterrupted fires while a broken-off LockFlush exists",
      input_series: [interrupted("_x2 1x10")],
      alert_rule_test: [
        { eval_time: "1m", alertname: rule.name, exp_alerts: [] },
        {
          eval_time: "5m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              { namespace: "breakwater-services", name: "flush-purchase-locks" },
              "LockFlush breakwater-services/flush-purchase-locks started and did not finish; stuck locks may remain. It is never re-run by itself.",
            ),
          ],
        },
      ],
    },
    {
      name: "OperatorLockFlushInterrupted stays quiet once the LockFlush is deleted",
      input_series: [interrupted("1x3 _x10")],
      alert_rule_test: [{ eval_time: "10m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

function unmanagedCases(group: AlertGroup): RuleCase[] {
  const rule = ruleNamed(group, "OperatorUnmanagedControl");
  const unmanaged = (values: string) =>
    gauge(
      "breakwater_operator_unmanaged_controls",
      { pod: "operator-a", service: "payments", kind: "WithdrawalHalt" },
      values,
    );
  return [
    {
      name: "OperatorUnmanagedControl fires when a break-glass control stays for 5m",
      input_series: [unmanaged("0 0 1x20")],
      alert_rule_test: [
        { eval_time: "5m", alertname: rule.name, exp_alerts: [] },
        {
          eval_time: "10m",
          alertname: rule.name,
          exp_alerts: [
            firing(
              rule,
              { service: "payments", kind: "WithdrawalHalt" },
              "payments enforces 1 WithdrawalHalt control(s) that no control resource declares (a break-glass PUT or one left behind), for 5m: list them with `npm run controls -- unmanaged`.",
            ),
          ],
        },
      ],
    },
    {
      name: "OperatorUnmanagedControl stays quiet when the control is adopted or lifted in time",
      input_series: [unmanaged("0 1 1 1 0x20")],
      alert_rule_test: [{ eval_time: "10m", alertname: rule.name, exp_alerts: [] }],
    },
  ];
}

export function operatorCases(group: AlertGroup): RuleCase[] {
  return [
    ...leaderCases(group),
    ...reconcileCases(group),
    ...notEnforcedCases(group),
    ...approvalCases(group),
    ...lockFlushCases(group),
    ...unmanagedCases(group),
  ];
}
