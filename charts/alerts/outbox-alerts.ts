/**
 * @module The kit's outbox relay alert (seed 001, `OutboxProcessingFailed`, SEV-3): relay
 * attempts of a service keep failing, so its events are delayed (in order, none lost).
 */
import type { Environment } from "../../environments";
import type { AlertGroup } from "./alert-group";
import { alertRule } from "./alert-rule";
import { fixedAlertThresholds as fixed } from "./fixed-thresholds";

/** The seed's name starts with the component, so the name is kept exactly. */
export const outboxComponent = "outbox";

/** The outbox alert group; `outbox_events_total{result}` is what the kit exports today. */
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
  ];
  return { component: outboxComponent, name: `breakwater.${outboxComponent}`, rules };
}
