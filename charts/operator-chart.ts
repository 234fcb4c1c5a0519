/**
 * @module The control operator: its CRDs and admission policies (one wave before everything),
 * its ServiceAccount and RBAC (exactly `operators/rbac.ts`), the targets file that says which
 * service enforces which control, and a hardened Deployment.
 */
import { createHash } from "node:crypto";
import { Chart, Duration } from "cdk8s";
import * as plus from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { stringify } from "yaml";
import { type Environment, serviceNames } from "../environments";
import { crdManifests } from "../operators/crds/index";
import { operatorServiceAccount, rbacManifests } from "../operators/rbac";
import { type Targets, targetsSchema } from "../operators/targets";
import { admissionPolicyManifests } from "../policies/admission/index";
import { crdWave, inWave } from "./argo";
import { configDigestAnnotation } from "./constructs/hono-service";
import { imageEntrypoint, imageUser, operatorArgs } from "./container-image";
import { imageReference, secretNames, serviceHost, servicePort } from "./conventions";
import { componentLabels, selectorLabels } from "./labels";
import {
  containerResources,
  hardenedContainer,
  includeManifest,
  metricsMonitor,
} from "./program-container";
import { size } from "./quantities";
import { serviceCatalog } from "./service-catalog";
import { tracingEnvironment } from "./tracing";

export const operatorName = "breakwater-operator";
const metricsPort = 8080;
const targetsDirectory = "/etc/breakwater";
const targetsFileName = "targets.yaml";
export const livenessPath = "/healthz";
export const readinessPath = "/readyz";

/** Which enabled service enforces which control, and where its admin token lives. */
export function operatorTargets(environment: Environment): Targets {
  const namespace = environment.namespaces.services.name;
  const services: Targets["services"] = {};
  for (const name of serviceNames) {
    // A service that enforces no control (the status page) is no target.
    if (!environment.services[name].enabled || serviceCatalog[name].enforces.length === 0) continue;
    services[name] = {
      adminUrl: `http://${serviceHost(name, namespace)}:${servicePort}`,
      tokenSecret: { namespace, name: secretNames.adminToken(name), key: "token" },
      enforces: [...serviceCatalog[name].enforces],
    };
  }
  // Parsed so a targets file the operator would refuse never reaches a cluster.
  return targetsSchema.parse({ services, redis: { default: {} } });
}

/** The operator's environment variables from its ConfigMap (operators/config.ts reads them). */
export function operatorConfig(environment: Environment): Record<string, string> {
  return {
    OPERATOR_TARGETS_FILE: `${targetsDirectory}/${targetsFileName}`,
    OPERATOR_METRICS_PORT: String(metricsPort),
    OPERATOR_LEASE_NAMESPACE: environment.namespaces.system.name,
    LOG_LEVEL: "info",
    ...tracingEnvironment(environment, operatorName),
  };
}

export class OperatorChart extends Chart {
  readonly deployment: plus.Deployment;

  constructor(scope: Construct, id: string, environment: Environment) {
    super(scope, id, { disableResourceNameHashes: true });
    const namespace = environment.namespaces.system.name;
    const labels = componentLabels(operatorName, "operator", environment.name);
    for (const manifest of [...crdManifests(), ...admissionPolicyManifests()]) {
      const object = includeManifest(this, manifest);
      inWave(object, crdWave);
    }
    const targets = operatorTargets(environment);
    for (const manifest of rbacManifests(targets)) includeManifest(this, manifest);
    const serviceAccount = new plus.ServiceAccount(this, "service-account", {
      metadata: { name: operatorServiceAccount, namespace, labels },
      automountToken: true,
    });
    // Two ConfigMaps: the environment (every key becomes a variable through envFrom, so only
    // what operators/config.ts reads) and the targets file mounted at OPERATOR_TARGETS_FILE.
    const config = new plus.ConfigMap(this, "config", {
      metadata: { name: `${operatorName}-config`, namespace, labels },
      data: operatorConfig(environment),
    });
    const targetsFile = new plus.ConfigMap(this, "targets", {
      metadata: { name: `${operatorName}-targets`, namespace, labels },
      data: { [targetsFileName]: stringify(targets, { sortMapEntries: true }) },
    });
    this.deployment = operatorDeployment(this, environment, {
      serviceAccount,
      config,
      targetsFile,
      labels,
    });
    new plus.Service(this, "metrics", {
      metadata: { name: operatorName, namespace, labels },
      selector: this.deployment,
      ports: [{ name: "metrics", port: metricsPort, targetPort: metricsPort }],
    });
    // One replica leads, the other stands by: a voluntary disruption (a node drain) may take
    // one at a time, and the standby takes the Lease over.
    new plus.k8s.KubePodDisruptionBudget(this, "disruption-budget", {
      metadata: { name: operatorName, namespace, labels },
      spec: {
        minAvailable: plus.k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selectorLabels(operatorName) },
      },
    });
    // The operator's own `service` (target service) and `namespace` (a control's) labels win
    // over the scrape's, so the alerts read them as exported.
    metricsMonitor(this, operatorName, namespace, labels, "metrics", { honorLabels: true });
  }
}

interface DeploymentParts {
  readonly serviceAccount: plus.ServiceAccount;
  readonly config: plus.ConfigMap;
  readonly targetsFile: plus.ConfigMap;
  readonly labels: Record<string, string>;
}

/**
 * The operator reads its environment and its targets file once, at start; a digest of both on
 * the pod template makes a change (a service enabled, a setting changed) roll the pods.
 */
function configDigest(...configMaps: plus.ConfigMap[]): string {
  const data = configMaps.map((configMap) => configMap.data);
  return createHash("sha256").update(JSON.stringify(data)).digest("hex");
}

function operatorDeployment(scope: Construct, environment: Environment, parts: DeploymentParts) {
  const operator = environment.operator;
  const namespace = environment.namespaces.system.name;
  const targetsVolume = plus.Volume.fromConfigMap(scope, "targets-volume", parts.targetsFile, {
    name: "targets",
    items: { [targetsFileName]: { path: targetsFileName } },
  });
  const tmp = plus.Volume.fromEmptyDir(scope, "tmp", "tmp", { sizeLimit: size("16Mi") });
  const redisUrl = plus.Secret.fromSecretName(scope, "redis-url", secretNames.redisUrl);
  return new plus.Deployment(scope, "deployment", {
    metadata: {
      name: operatorName,
      namespace,
      labels: { ...parts.labels, ...selectorLabels(operatorName) },
    },
    podMetadata: {
      labels: { ...parts.labels, ...selectorLabels(operatorName) },
      annotations: { [configDigestAnnotation]: configDigest(parts.config, parts.targetsFile) },
    },
    replicas: operator.replicas,
    serviceAccount: parts.serviceAccount,
    automountServiceAccountToken: true,
    securityContext: { ensureNonRoot: true, user: imageUser, group: imageUser },
    containers: [
      {
        name: "operator",
        image: imageReference(environment.images.operator),
        imagePullPolicy: plus.ImagePullPolicy.IF_NOT_PRESENT,
        // The image every breakwater program shares; the arguments pick the operator.
        command: [...imageEntrypoint],
        args: operatorArgs(),
        ports: [{ name: "metrics", number: metricsPort }],
        envFrom: [plus.Env.fromConfigMap(parts.config)],
        envVariables: {
          // Leader election names the holder by pod, so `kubectl get lease` says who leads.
          OPERATOR_IDENTITY: plus.EnvValue.fromFieldRef(plus.EnvFieldPaths.POD_NAME),
          REDIS_URL: plus.EnvValue.fromSecretValue({ secret: redisUrl, key: "url" }),
        },
        volumeMounts: [
          { path: targetsDirectory, volume: targetsVolume, readOnly: true },
          { path: "/tmp", volume: tmp },
        ],
        // The process answers (operators/runtime/http-server.ts); a wedged one is restarted.
        liveness: plus.Probe.fromHttpGet(livenessPath, {
          port: metricsPort,
          periodSeconds: Duration.seconds(10),
          failureThreshold: 3,
        }),
        // It reaches the API server and, when leading, its caches are synced; a standby that
        // reaches the API server is ready to take over.
        readiness: plus.Probe.fromHttpGet(readinessPath, {
          port: metricsPort,
          periodSeconds: Duration.seconds(5),
          failureThreshold: 2,
        }),
        resources: containerResources(operator.resources),
        securityContext: hardenedContainer,
      },
    ],
  });
}
