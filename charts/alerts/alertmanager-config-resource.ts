/**
 * @module The alert routing as a kube-prometheus-stack `AlertmanagerConfig`
 * (monitoring.coreos.com/v1alpha1) in the monitoring namespace: the same tree as
 * `alertmanagerYaml`, converted field by field, with each credential a Secret reference
 * rather than a file. The platform names it as Alertmanager's global configuration
 * (`alertmanagerSpec.alertmanagerConfiguration`), so no namespace matcher is added.
 */
import {
  type AlertRouting,
  alertmanagerYaml,
  alertRoutingSecrets,
  receiverNames,
  type SecretKey,
} from "./alert-routing";

export const alertmanagerConfigName = "breakwater";

interface Matcher {
  name: string;
  value: string;
  matchType: "=" | "!=" | "=~" | "!~";
}

/** `severity="critical"` → `{ name, value, matchType }`. */
export function parseMatcher(text: string): Matcher {
  const match = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)"(.*)"$/.exec(text);
  if (!match) throw new Error(`not a matcher: ${text}`);
  return { name: match[1]!, matchType: match[2] as Matcher["matchType"], value: match[3]! };
}

interface PlainRoute {
  receiver: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  continue?: boolean;
  routes?: PlainRoute[];
}

function route(plain: PlainRoute): Record<string, unknown> {
  return {
    receiver: plain.receiver,
    ...(plain.matchers ? { matchers: plain.matchers.map(parseMatcher) } : {}),
    ...(plain.group_by ? { groupBy: plain.group_by } : {}),
    ...(plain.group_wait ? { groupWait: plain.group_wait } : {}),
    ...(plain.group_interval ? { groupInterval: plain.group_interval } : {}),
    ...(plain.repeat_interval ? { repeatInterval: plain.repeat_interval } : {}),
    ...(plain.continue ? { continue: true } : {}),
    ...(plain.routes ? { routes: plain.routes.map(route) } : {}),
  };
}

const selector = (secret: SecretKey) => ({ name: secret.name, key: secret.key });

function receivers(routing: AlertRouting): Record<string, unknown>[] {
  const list: Record<string, unknown>[] = [
    {
      name: receiverNames.pager,
      pagerdutyConfigs: [
        { routingKey: selector(alertRoutingSecrets.pagerDuty), sendResolved: true },
      ],
    },
    {
      name: receiverNames.ticket,
      slackConfigs: [{ apiURL: selector(alertRoutingSecrets.ticketSlack), sendResolved: true }],
    },
    { name: receiverNames.none },
  ];
  if (routing.autopilotUrl) {
    list.push({
      name: receiverNames.autopilot,
      webhookConfigs: [
        {
          url: routing.autopilotUrl,
          sendResolved: true,
          httpConfig: {
            authorization: {
              type: "Bearer",
              credentials: selector(alertRoutingSecrets.autopilotToken),
            },
          },
        },
      ],
    });
  }
  return list;
}

/** The AlertmanagerConfig object for one environment's routing. */
export function alertmanagerConfigResource(
  routing: AlertRouting,
  namespace: string,
  labels: Record<string, string>,
): Record<string, unknown> {
  const plain = alertmanagerYaml(routing);
  return {
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "AlertmanagerConfig",
    metadata: { name: alertmanagerConfigName, namespace, labels },
    spec: {
      route: route(plain.route as unknown as PlainRoute),
      receivers: receivers(routing),
      inhibitRules: plain.inhibit_rules.map((rule) => ({
        sourceMatch: rule.source_matchers.map(parseMatcher),
        targetMatch: rule.target_matchers.map(parseMatcher),
        equal: rule.equal,
      })),
    },
  };
}
