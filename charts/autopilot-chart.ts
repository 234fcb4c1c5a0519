/**
 * @module The alert autopilot: its ServiceAccount and RBAC (exactly operators/autopilot/rbac.ts),
 * its settings, the automation rules of `policies/automation/` as a mounted folder, and two
 * replicas (one decides, the other forwards and takes over) behind a Service that
 * Alertmanager's webhook reaches, with probes and a ServiceMonitor. Rendered only where
 * `features.autopilot.enabled`.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Chart, Duration } from "cdk8s";
import * as plus from "cdk8s-plus-27";
import type { Construct } from "constructs";
import type { Environment } from "../environments";
import {
  autopilotLeaseName,
  autopilotRbacManifests,
  autopilotServiceAccount,
  autopilotStateConfigMap,
} from "../operators/autopilot/rbac";
import { defaultAutomationMode } from "../policies/automation/default-mode";
import {
  activeRules,
  automationRulesDirectory,
  loadRules,
} from "../policies/automation/load-rules";
import { autopilotName, autopilotPort } from "./alerts/environment-routing";
import { configDigestAnnotation } from "./constructs/hono-service";
import { autopilotArgs, imageEntrypoint, imageUser } from "./container-image";
import { imageReference } from "./conventions";
import { componentLabels, selectorLabels } from "./labels";
import {
  containerResources,
  hardenedContainer,
  includeManifest,
  metricsMonitor,
} from "./program-container";
import { size } from "./quantities";

const rulesDirectory = "/etc/breakwater/automation";
/** The Secret (key `token`) holding the bearer token Alertmanager sends. */
export const autopilotTokenSecret = { name: "breakwater-autopilot-webhook", key: "token" } as const;
const replicas = 2;

/** The autopilot's environment variables from its ConfigMap (operators/autopilot/config.ts). */
export function autopilotConfig(environment: Environment): Record<string, string> {
  return {
    AUTOPILOT_ENVIRONMENT: environment.name,
    AUTOPILOT_DEFAULT_MODE: defaultAutomationMode(environment) ?? "dryRun",
    AUTOPILOT_RULES_DIR: rulesDirectory,
    AUTOPILOT_CONTROLS_NAMESPACE: environment.namespaces.system.name,
    AUTOPILOT_PORT: String(autopilotPort),
    AUTOPILOT_LEASE_NAMESPACE: environment.namespaces.system.name,
    AUTOPILOT_LEASE_NAME: autopilotLeaseName,
    AUTOPILOT_STATE_CONFIGMAP: autopilotStateConfigMap,
    LOG_LEVEL: "info",
  };
}

/** Each rule file as it is in the repository, validated first (a bad rule stops synth). */
function ruleFiles(environment: Environment): Record<string, string> {
  activeRules(loadRules(), environment.name, defaultAutomationMode(environment) ?? "dryRun");
  const names = readdirSync(automationRulesDirectory).filter((name) => name.endsWith(".yaml"));
  return Object.fromEntries(
    names.sort().map((name) => [name, readFileSync(join(automationRulesDirectory, name), "utf8")]),
  );
}

export class AutopilotChart extends Chart {
  constructor(scope: Construct, id: string, environment: Environment) {
    super(scope, id, { disableResourceNameHashes: true });
    if (!environment.features.autopilot.enabled) return;
    const namespace = environment.namespaces.system.name;
    const labels = componentLabels(autopilotName, "autopilot", environment.name);
    for (const manifest of autopilotRbacManifests(namespace)) includeManifest(this, manifest);
    const serviceAccount = new plus.ServiceAccount(this, "service-account", {
      metadata: { name: autopilotServiceAccount, namespace, labels },
      automountToken: true,
    });
    const config = new plus.ConfigMap(this, "config", {
      metadata: { name: `${autopilotName}-config`, namespace, labels },
      data: autopilotConfig(environment),
    });
    const rules = new plus.ConfigMap(this, "rules", {
      metadata: { name: `${autopilotName}-rules`, namespace, labels },
      data: ruleFiles(environment),
    });
    const deployment = autopilotDeployment(this, environment, {
      serviceAccount,
      config,
      rules,
      labels,
    });
    new plus.Service(this, "service", {
      metadata: { name: autopilotName, namespace, labels },
      selector: deployment,
      ports: [{ name: "http", port: autopilotPort, targetPort: autopilotPort }],
    });
    metricsMonitor(this, autopilotName, namespace, labels, "http");
  }
}

interface Parts {
  readonly serviceAccount: plus.ServiceAccount;
  readonly config: plus.ConfigMap;
  readonly rules: plus.ConfigMap;
  readonly labels: Record<string, string>;
}

function autopilotDeployment(scope: Construct, environment: Environment, parts: Parts) {
  const rulesVolume = plus.Volume.fromConfigMap(scope, "rules-volume", parts.rules, {
    name: "rules",
  });
  const tmp = plus.Volume.fromEmptyDir(scope, "tmp", "tmp", { sizeLimit: size("16Mi") });
  const token = plus.Secret.fromSecretName(scope, "webhook-token", autopilotTokenSecret.name);
  const digest = createHash("sha256")
    .update(JSON.stringify([parts.config.data, parts.rules.data]))
    .digest("hex");
  return new plus.Deployment(scope, "deployment", {
    metadata: {
      name: autopilotName,
      namespace: environment.namespaces.system.name,
      labels: { ...parts.labels, ...selectorLabels(autopilotName) },
    },
    podMetadata: {
      labels: { ...parts.labels, ...selectorLabels(autopilotName) },
      annotations: { [configDigestAnnotation]: digest },
    },
    replicas,
    serviceAccount: parts.serviceAccount,
    automountServiceAccountToken: true,
    securityContext: { ensureNonRoot: true, user: imageUser, group: imageUser },
    containers: [
      {
        name: "autopilot",
        image: imageReference(environment.images.operator),
        imagePullPolicy: plus.ImagePullPolicy.IF_NOT_PRESENT,
        command: [...imageEntrypoint],
        args: autopilotArgs(),
        ports: [{ name: "http", number: autopilotPort }],
        envFrom: [plus.Env.fromConfigMap(parts.config)],
        envVariables: {
          AUTOPILOT_IDENTITY: plus.EnvValue.fromFieldRef(plus.EnvFieldPaths.POD_NAME),
          POD_IP: plus.EnvValue.fromFieldRef(plus.EnvFieldPaths.POD_IP),
          AUTOPILOT_WEBHOOK_TOKEN: plus.EnvValue.fromSecretValue({
            secret: token,
            key: autopilotTokenSecret.key,
          }),
        },
        volumeMounts: [
          { path: rulesDirectory, volume: rulesVolume, readOnly: true },
          { path: "/tmp", volume: tmp },
        ],
        readiness: plus.Probe.fromHttpGet("/health/ready", {
          port: autopilotPort,
          periodSeconds: Duration.seconds(5),
        }),
        liveness: plus.Probe.fromHttpGet("/health/live", {
          port: autopilotPort,
          periodSeconds: Duration.seconds(10),
        }),
        resources: containerResources(environment.operator.resources),
        securityContext: hardenedContainer,
      },
    ],
  });
}
