/**
 * @module Shared setup for the autopilot's tests: a real API server with the control CRDs,
 * the admission policies and the autopilot's own ServiceAccount bound to exactly its RBAC;
 * autopilots run in-process with that account's token; payloads are Alertmanager's.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import pino from "pino";
import { stringify } from "yaml";
import { type AlertGroup, ruleFileOf } from "../../charts/alerts/alert-group";
import { alertmanagerYaml, alertRoutingSecrets } from "../../charts/alerts/alert-routing";
import { alertGroups } from "../../charts/alerts/catalog";
import { environmentRouting } from "../../charts/alerts/environment-routing";
import type { Environment } from "../../environments";
import { type RunningAutopilot, startAutopilot } from "../../operators/autopilot/autopilot";
import { loadAutopilotConfig } from "../../operators/autopilot/config";
import {
  autopilotNamespace,
  autopilotRbacManifests,
  autopilotServiceAccount,
} from "../../operators/autopilot/rbac";
import { webhookPath } from "../../operators/autopilot/webhook-server";
import { controlGroup, controlKinds } from "../../operators/crds/index";
import { createKubeApi } from "../../operators/runtime/kube-api";
import { requestedByPolicyManifests } from "../../policies/admission/requested-by";
import type { KubeCluster } from "../harness/kube";
import { makeTempDir, waitUntil } from "../harness/process";
import { type MonitoringServer, startPrometheus } from "../harness/prometheus";
import { installControls, kubectlOk, withdrawalHaltYaml } from "../operator/cluster";

export const webhookToken = "autopilot-webhook-token-for-tests";
export const autopilotUsername = `system:serviceaccount:${autopilotNamespace}:${autopilotServiceAccount}`;

/** On-call people (alice, bob) may create, approve and lift controls. */
const onCallAccess = [
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "controls-editor" },
    rules: [
      {
        apiGroups: [controlGroup],
        resources: controlKinds.map((definition) => definition.plural),
        verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
      },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "controls-editor" },
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "controls-editor",
    },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "breakwater:oncall" }],
  },
];

/** CRDs, policies, namespaces and the autopilot's ServiceAccount; its kubeconfig path. */
export async function installAutopilot(cluster: KubeCluster): Promise<string> {
  await installControls(cluster);
  const manifests = [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: autopilotServiceAccount, namespace: autopilotNamespace },
    },
    ...autopilotRbacManifests(),
    ...requestedByPolicyManifests(),
    ...onCallAccess,
  ];
  await kubectlOk(cluster, ["apply", "-f", "-"], {
    input: manifests.map((manifest) => stringify(manifest)).join("---\n"),
  });
  await waitUntil(
    "the requestedBy admission policy is in force",
    async () => {
      const probe = await cluster.kubectl(["apply", "--dry-run=server", "-f", "-"], {
        input: withdrawalHaltYaml("probe-requested-by", { requestedBy: "mallory" }),
        user: "alice",
      });
      return probe.code !== 0 && probe.stderr.includes("spec.requestedBy must be");
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  const token = (
    await kubectlOk(cluster, [
      "create",
      "token",
      autopilotServiceAccount,
      "-n",
      autopilotNamespace,
      "--duration=2h",
    ])
  ).trim();
  const path = join(makeTempDir("autopilot-kubeconfig"), "kubeconfig.yaml");
  writeFileSync(
    path,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: "c", cluster: { server: cluster.server, "certificate-authority": cluster.caPath } },
      ],
      users: [{ name: "autopilot", user: { token } }],
      contexts: [{ name: "autopilot", context: { cluster: "c", user: "autopilot" } }],
      "current-context": "autopilot",
    }),
    { mode: 0o600 },
  );
  return path;
}

/** A rules folder holding `text` as one file. */
export function writeRules(text: string): string {
  const directory = makeTempDir("autopilot-rules");
  writeFileSync(join(directory, "rules.yaml"), text);
  return directory;
}

/** An autopilot in this process, authenticated as its ServiceAccount. */
export function startAutopilotInProcess(
  kubeconfigPath: string,
  variables: Record<string, string>,
): Promise<RunningAutopilot> {
  const config = loadAutopilotConfig({
    KUBECONFIG: kubeconfigPath,
    AUTOPILOT_WEBHOOK_TOKEN: webhookToken,
    AUTOPILOT_ENVIRONMENT: "prod",
    AUTOPILOT_CONTROLS_NAMESPACE: "payments",
    AUTOPILOT_PORT: "0",
    AUTOPILOT_HOST: "127.0.0.1",
    AUTOPILOT_LEASE_DURATION_SECONDS: "4",
    AUTOPILOT_RENEW_DEADLINE_SECONDS: "3",
    AUTOPILOT_RETRY_PERIOD_SECONDS: "0.5",
    ...variables,
  });
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(kubeconfigPath);
  const log = pino({ level: process.env.BREAKWATER_AUTOPILOT_LOG ?? "warn" });
  return startAutopilot(config, { api: createKubeApi(kubeconfig), log });
}

export interface AlertInput {
  readonly alertname: string;
  readonly labels?: Record<string, string>;
  readonly status?: "firing" | "resolved";
  readonly fingerprint?: string;
  readonly summary?: string;
}

let fingerprints = 0;

/** One alert as Alertmanager sends it. */
export function alert(input: AlertInput) {
  const status = input.status ?? "firing";
  fingerprints += 1;
  return {
    status,
    labels: { alertname: input.alertname, severity: "critical", ...input.labels },
    annotations: {
      summary: input.summary ?? "Ledger imbalance detected in payments",
      description: "the reconciliation worker found a currency whose entries do not sum to zero",
    },
    startsAt: "2026-11-29T08:00:00Z",
    endsAt: status === "resolved" ? "2026-11-29T08:10:00Z" : "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus:9090/graph",
    fingerprint: input.fingerprint ?? fingerprints.toString(16).padStart(16, "0"),
  };
}

/** A version 4 webhook payload carrying `alerts`. */
export function payload(alerts: ReturnType<typeof alert>[]) {
  return {
    version: "4",
    groupKey: '{}/{autopilot="true"}:{alertname="x"}',
    truncatedAlerts: 0,
    status: alerts.some((item) => item.status === "firing") ? "firing" : "resolved",
    receiver: "autopilot",
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager:9093",
    alerts,
  };
}

export interface WebhookAnswer {
  readonly status: number;
  readonly contentType: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers
  readonly body: any;
}

/** POST a payload to an autopilot's webhook. */
export async function send(
  autopilot: RunningAutopilot,
  body: unknown,
  token: string | null = webhookToken,
): Promise<WebhookAnswer> {
  const response = await fetch(new URL(webhookPath, autopilot.url), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    body: await response.json(),
  };
}

/** Outcomes of a webhook answer, counted. */
export function outcomes(answer: WebhookAnswer): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const decision of answer.body.decisions as { outcome: string }[]) {
    counts[decision.outcome] = (counts[decision.outcome] ?? 0) + 1;
  }
  return counts;
}

/**
 * The environment's rendered routes as Alertmanager's configuration, with every interval cut
 * to a second, the autopilot at `autopilotUrl` and PagerDuty (and the ticket Slack URL) at
 * `pagerUrl`; the credentials in files of a temp dir.
 */
export function fastAlertmanagerConfig(
  environment: Environment,
  autopilotUrl: string,
  pagerUrl: string,
): string {
  const directory = makeTempDir("alertmanager-secrets");
  const secretFiles = {
    [alertRoutingSecrets.pagerDuty.name]: "a-pagerduty-routing-key",
    [alertRoutingSecrets.ticketSlack.name]: `${pagerUrl}/slack`,
    [alertRoutingSecrets.autopilotToken.name]: webhookToken,
  };
  for (const [name, value] of Object.entries(secretFiles)) {
    writeFileSync(join(directory, name), value);
  }
  const fast = { groupWait: "0s", groupInterval: "1s", repeatInterval: "1h" };
  const routing = {
    ...environmentRouting(environment),
    autopilotUrl: new URL(webhookPath, autopilotUrl).toString(),
    timings: fast,
    autopilotTimings: fast,
  };
  const config = alertmanagerYaml(routing, {
    secretPath: (secret) => join(directory, secret.name),
    pagerDutyUrl: pagerUrl,
  });
  return stringify(config);
}

/**
 * A Prometheus evaluating the environment's rendered rules (or `groups`, the local platform's
 * with shorter waits) every second over `urls`.
 */
export async function startRulesPrometheus(
  environment: Environment,
  urls: readonly string[],
  alertmanagerUrl: string,
  groups: readonly AlertGroup[] = alertGroups(environment),
): Promise<MonitoringServer> {
  const rulesPath = join(makeTempDir("rendered-rules"), "rules.yaml");
  writeFileSync(rulesPath, stringify(ruleFileOf(groups)));
  return startPrometheus({
    rulesFiles: [rulesPath],
    scrapeTargets: urls.map((url) => new URL(url).host),
    alertmanagerUrl,
    interval: "1s",
  });
}
