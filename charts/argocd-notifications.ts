/**
 * @module Argo CD notifications (`argocd-notifications-cm`, read by the notifications
 * controller the argo-cd chart installs): every Application's sync result and any drift from
 * git go to the on-call webhook, the handbook's #ops-alerts (seed 003, deploy runbook step 5).
 * The webhook URL is never in git: the service reads it from the key
 * `ops-alerts-webhook-url` of the Secret `argocd-notifications-secret`.
 */
import * as plus from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { stringify as yamlStringify } from "yaml";

/** YAML without folded lines, so a template reads as it is sent. */
function stringify(value: unknown): string {
  return yamlStringify(value, { lineWidth: 0 });
}

import type { Environment } from "../environments";
import { componentLabels } from "./labels";

/** The notification service (a webhook) and its Secret key. */
export const opsAlertsService = "ops-alerts";
export const opsAlertsUrlSecretKey = "ops-alerts-webhook-url";
/**
 * The one Secret the notifications controller reads `$key` references from (a fixed name in
 * Argo CD); the platform program creates it in the gitops namespace from a Pulumi secret.
 */
export const notificationsSecretName = "argocd-notifications-secret";

/** Trigger name → the condition (an Argo CD expression over `app`) and the template sent. */
export const notificationTriggers = {
  "on-sync-succeeded": {
    when: "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded']",
    template: "sync-succeeded",
  },
  "on-sync-failed": {
    when: "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
    template: "sync-failed",
  },
  // Drift: live objects no longer match git (a hand edit, or a sync not yet run).
  "on-out-of-sync": { when: "app.status.sync.status == 'OutOfSync'", template: "out-of-sync" },
} as const;

function webhookTemplate(status: string): string {
  const body = JSON.stringify({
    text: `{{.app.metadata.name}} ${status}`,
    environment: "__ENVIRONMENT__",
    application: "{{.app.metadata.name}}",
    revision: "{{.app.status.sync.revision}}",
    syncStatus: "{{.app.status.sync.status}}",
    health: "{{.app.status.health.status}}",
    phase: "{{if .app.status.operationState}}{{.app.status.operationState.phase}}{{end}}",
  });
  return stringify({ webhook: { [opsAlertsService]: { method: "POST", body } } });
}

/** The ConfigMap's data, for one environment. */
export function notificationsConfig(environment: Environment): Record<string, string> {
  const data: Record<string, string> = {
    [`service.webhook.${opsAlertsService}`]: stringify({
      url: `$${opsAlertsUrlSecretKey}`,
      headers: [{ name: "Content-Type", value: "application/json" }],
    }),
    "template.sync-succeeded": webhookTemplate("synced"),
    "template.sync-failed": webhookTemplate("failed to sync"),
    "template.out-of-sync": webhookTemplate("drifted from git (OutOfSync)"),
    subscriptions: stringify([
      {
        recipients: [`${opsAlertsService}:#ops-alerts`],
        triggers: Object.keys(notificationTriggers),
      },
    ]),
  };
  for (const [name, trigger] of Object.entries(notificationTriggers)) {
    // oncePer: one message per revision and phase, not one per reconcile loop.
    data[`trigger.${name}`] = stringify([
      {
        when: trigger.when,
        send: [trigger.template],
        oncePer:
          name === "on-out-of-sync"
            ? "app.status.sync.revision"
            : "app.status.operationState.syncResult.revision",
      },
    ]);
  }
  for (const key of Object.keys(data)) {
    data[key] = data[key]!.replaceAll("__ENVIRONMENT__", environment.name);
  }
  return data;
}

/** Render `argocd-notifications-cm` into `scope` (the argocd app). */
export function addNotifications(scope: Construct, environment: Environment): plus.ConfigMap {
  return new plus.ConfigMap(scope, "notifications", {
    metadata: {
      name: "argocd-notifications-cm",
      namespace: environment.namespaces.gitops.name,
      labels: componentLabels("argocd-notifications", "gitops", environment.name),
    },
    data: notificationsConfig(environment),
  });
}
