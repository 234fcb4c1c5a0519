/**
 * @module The kit's outbox relay alerts (seed 001, "Outbox Worker Lag", SEV-3):
 * `OutboxProcessingFailed`, relay attempts of a service keep failing, so its events are
 * delayed (in order, none lost); `OutboxEventsParked`, events whose own delivery failed
 * `OUTBOX_PARK_AFTER_FAILURES` (5) times are parked and wait for a person to re-queue them.
 */
import type { Environment } from "../../environments";
import type { AlertGroup } from "./alert-group";
import { alertRule } from "./alert-rule";
import { fixedAlertThresholds as fixed } from "./fixed-thresholds";

/** The seed's name starts with the component, so the name is kept exactly. */
export const outboxComponent = "outbox";

/** The outbox alert group, from `outbox_events_total{result}` and `outbox_events_parked`. */
export function outboxAlerts(environment: Environment): AlertGroup {
  const window = fixed.rateWindow;
  const rules = [
    alertRule(
      {
        name: "OutboxProcessingFailed",
        component: outboxComponent,
        severity: "warning",
        expr: `sum by (namespace, service) (rate(outbox_events_total{result="failed"}[${window}])) > 0`,
        forDuration: fixed.outboxFailingSustained,
        summary: "The outbox relay keeps failing to publish events.",
        description: `The outbox relay of {{ $labels.service }} in {{ $labels.namespace }} has failed to publish for ${fixed.outboxFailingSustained} ({{ $value | printf "%.3f" }} failed attempts/s); its events wait, in order, until the broker takes them.`,
      },
      environment.gitops,
    ),
    alertRule(
      {
        name: "OutboxEventsParked",
        component: outboxComponent,
        severity: "warning",
        expr: "max by (namespace, service) (outbox_events_parked) > 0",
        forDuration: fixed.outboxParkedSustained,
        summary: "Outbox events are parked after repeated failed deliveries.",
        description:
          "{{ $value }} outbox events of {{ $labels.service }} in {{ $labels.namespace }} are parked after 5 failed deliveries of their own (the broker refused the record, or took other events meanwhile). Later events of their keys wait behind them. Fix the cause, then re-queue them.",
      },
      environment.gitops,
    ),
  ];
  return { component: outboxComponent, name: `breakwater.${outboxComponent}`, rules };
}
