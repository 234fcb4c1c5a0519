/**
 * @module Where alerts go, as code: `critical` pages (PagerDuty), `warning` opens a ticket
 * (Slack), and every alert an automation rule answers also goes to the autopilot's webhook
 * (`continue: true`, so it still pages). A critical alert inhibits the warnings of the same
 * service, so one incident does not page and ticket twice. One routing tree, rendered two
 * ways: as Alertmanager's own `alertmanager.yml` (what `amtool check-config` and the tests'
 * Alertmanager read) and as the kube-prometheus-stack `AlertmanagerConfig` that the platform
 * names as Alertmanager's global configuration.
 */
import type { Environment } from "../../environments";

/** A key of a Secret in the monitoring namespace, created by Pulumi. */
export interface SecretKey {
  readonly name: string;
  readonly key: string;
}

export const alertRoutingSecrets = {
  pagerDuty: { name: "alertmanager-pagerduty", key: "routing-key" },
  ticketSlack: { name: "alertmanager-ticket-slack", key: "api-url" },
  autopilotToken: { name: "alertmanager-autopilot-token", key: "token" },
} as const satisfies Record<string, SecretKey>;

export const receiverNames = {
  pager: "pager",
  ticket: "ticket",
  autopilot: "autopilot",
  none: "none",
} as const;

/** How alerts are grouped and how often a group is re-sent. */
export interface RoutingTimings {
  readonly groupWait: string;
  readonly groupInterval: string;
  readonly repeatInterval: string;
}

export interface AlertRouting {
  /** Alert names automation rules answer (empty: no autopilot route). */
  readonly autopilotAlerts: readonly string[];
  /** The autopilot's webhook URL; undefined when the environment runs no autopilot. */
  readonly autopilotUrl?: string;
  readonly timings: RoutingTimings;
  /** The autopilot acts on one alert at a time: grouped by every label, sent at once. */
  readonly autopilotTimings: RoutingTimings;
}

export const defaultTimings: RoutingTimings = {
  groupWait: "30s",
  groupInterval: "5m",
  repeatInterval: "4h",
};
export const autopilotTimings: RoutingTimings = {
  groupWait: "0s",
  groupInterval: "1m",
  repeatInterval: "1h",
};

const alternation = (names: readonly string[]) =>
  names.map((name) => name.replace(/[^A-Za-z0-9_]/g, "")).join("|");

/** Where a plain `alertmanager.yml` finds each Secret (kube-prometheus-stack mounts them here). */
export function mountedSecretPath(secret: SecretKey): string {
  return `/etc/alertmanager/secrets/${secret.name}/${secret.key}`;
}

export interface PlainRenderOptions {
  /** The file holding each Secret's value. @default {@link mountedSecretPath} */
  readonly secretPath?: (secret: SecretKey) => string;
  /** PagerDuty's events URL (tests point it at their own server). @default PagerDuty's */
  readonly pagerDutyUrl?: string;
}

/** The routing as Alertmanager's own configuration file. */
export function alertmanagerYaml(routing: AlertRouting, options: PlainRenderOptions = {}) {
  const path = options.secretPath ?? mountedSecretPath;
  const timing = (t: RoutingTimings) => ({
    group_wait: t.groupWait,
    group_interval: t.groupInterval,
    repeat_interval: t.repeatInterval,
  });
  const routes: Record<string, unknown>[] = [];
  if (routing.autopilotUrl && routing.autopilotAlerts.length > 0) {
    routes.push({
      receiver: receiverNames.autopilot,
      matchers: [`alertname=~"${alternation(routing.autopilotAlerts)}"`],
      group_by: ["..."],
      ...timing(routing.autopilotTimings),
      continue: true,
    });
  }
  routes.push(
    { receiver: receiverNames.pager, matchers: ['severity="critical"'] },
    { receiver: receiverNames.ticket, matchers: ['severity="warning"'] },
  );
  const receivers: Record<string, unknown>[] = [
    {
      name: receiverNames.pager,
      pagerduty_configs: [
        {
          routing_key_file: path(alertRoutingSecrets.pagerDuty),
          send_resolved: true,
          ...(options.pagerDutyUrl ? { url: options.pagerDutyUrl } : {}),
        },
      ],
    },
    {
      name: receiverNames.ticket,
      slack_configs: [{ api_url_file: path(alertRoutingSecrets.ticketSlack), send_resolved: true }],
    },
    { name: receiverNames.none },
  ];
  if (routing.autopilotUrl) {
    receivers.push({
      name: receiverNames.autopilot,
      webhook_configs: [
        {
          url: routing.autopilotUrl,
          send_resolved: true,
          http_config: {
            authorization: { credentials_file: path(alertRoutingSecrets.autopilotToken) },
          },
        },
      ],
    });
  }
  return {
    route: {
      receiver: receiverNames.none,
      group_by: ["alertname", "namespace", "service"],
      ...timing(routing.timings),
      routes,
    },
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ["namespace", "service"],
      },
    ],
    receivers,
  };
}
