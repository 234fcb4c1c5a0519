/**
 * @module The control operator's own alerts: no replica leads (no control is applied or
 * lifted), reconciles failing, a control due and not enforced past its deadline, a control
 * held for approval too long, a LockFlush broken off, and a control a service enforces that
 * no resource declares. Every metric is one operators/runtime/metrics.ts exports.
 */
import type { Environment } from "../../environments";
import type { AlertGroup } from "./alert-group";
import { alertRule } from "./alert-rule";

export const operatorComponent = "operator";

/** The numbers of these alerts, with the reason beside each. */
export const operatorAlertThresholds = {
  /** A Lease lasts 15 s; a failover takes one lease. Two minutes without a leader is not one. */
  noLeaderFor: "2m",
  /** Reconciles are retried with backoff; errors for this long are not a blip. */
  reconcileErrorsFor: "10m",
  rateWindow: "5m",
  /**
   * A due control is enforced by every live replica well within a second (the
   * time-to-enforce benchmark); one not enforced after a minute has a replica, a service or
   * the operator in trouble, and the incident it answers is not contained.
   */
  enforceDeadlineSeconds: 60,
  /** A control held for approval longer than this is waiting on someone who is not there. */
  approvalWaitSeconds: 1800,
  /** A control outside Kubernetes is reported after this long (a few of the leader's scans). */
  unmanagedFor: "5m",
} as const;

export function operatorAlerts(environment: Environment): AlertGroup {
  const t = operatorAlertThresholds;
  const rule = (props: Omit<Parameters<typeof alertRule>[0], "component">) =>
    alertRule({ ...props, component: operatorComponent }, environment.gitops);
  const rules = [
    rule({
      name: "OperatorNoLeader",
      severity: "critical",
      expr: "(sum(breakwater_operator_leader) or vector(0)) < 1",
      forDuration: t.noLeaderFor,
      summary: "No replica of the control operator holds the leader Lease.",
      description: `For ${t.noLeaderFor} no operator replica has led ({{ $value }} leaders): controls are neither applied, lifted nor expired, and deleted ones stay Terminating.`,
    }),
    rule({
      name: "OperatorReconcileErrors",
      severity: "warning",
      expr: `sum by (namespace, kind) (rate(breakwater_operator_reconciles_total{result="error"}[${t.rateWindow}])) > 0`,
      forDuration: t.reconcileErrorsFor,
      summary: "The control operator keeps failing to reconcile controls.",
      description: `{{ $labels.kind }} reconciles in {{ $labels.namespace }} have failed for ${t.reconcileErrorsFor} ({{ $value | printf "%.2f" }} errors/s); the operator retries with backoff.`,
    }),
    rule({
      name: "OperatorControlNotEnforced",
      severity: "critical",
      expr: `max by (namespace, kind) (breakwater_operator_oldest_not_enforced_seconds) > ${t.enforceDeadlineSeconds}`,
      summary: "A control is due but not enforced by every live replica.",
      description: `A {{ $labels.kind }} has been due for {{ $value | humanizeDuration }} without every live replica enforcing it (deadline ${t.enforceDeadlineSeconds}s): the incident it answers is not contained.`,
    }),
    rule({
      name: "OperatorApprovalWaiting",
      severity: "warning",
      expr: `max by (namespace, kind) (breakwater_operator_oldest_approval_wait_seconds) > ${t.approvalWaitSeconds}`,
      summary: "A control has been waiting for approval too long.",
      description: `A {{ $labels.kind }} has been held for approval for {{ $value | humanizeDuration }} (more than ${t.approvalWaitSeconds / 60}m); it does nothing until someone with the approve permission approves or deletes it.`,
    }),
    rule({
      name: "OperatorLockFlushInterrupted",
      severity: "warning",
      expr: "max by (namespace, name) (breakwater_operator_lock_flush_interrupted) > 0",
      summary: "A LockFlush was broken off and will not be resumed.",
      description:
        "LockFlush {{ $labels.namespace }}/{{ $labels.name }} started and did not finish; stuck locks may remain. It is never re-run by itself.",
    }),
    rule({
      name: "OperatorUnmanagedControl",
      severity: "warning",
      expr: "max by (service, kind) (breakwater_operator_unmanaged_controls) > 0",
      forDuration: t.unmanagedFor,
      summary: "A service enforces a control that no resource in the cluster declares.",
      description: `{{ $labels.service }} enforces {{ $value }} {{ $labels.kind }} control(s) that no control resource declares (a break-glass PUT or one left behind), for ${t.unmanagedFor}: list them with \`npm run controls -- unmanaged\`.`,
    }),
  ];
  return { component: operatorComponent, name: `breakwater.${operatorComponent}`, rules };
}
