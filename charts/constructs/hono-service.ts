/**
 * @module `HonoService`: everything one domain service needs to run safely — a hardened
 * Deployment, its Service, PodDisruptionBudget, HorizontalPodAutoscaler, NetworkPolicy and
 * ServiceMonitor — with config from a ConfigMap and secrets only by reference.
 */
import { createHash } from "node:crypto";
import { Duration } from "cdk8s";
import * as plus from "cdk8s-plus-27";
import { Construct } from "constructs";
import type { Image, Resources } from "../../environments";
import { imageEntrypoint, serviceArgs } from "../container-image";
import { imageReference } from "../conventions";
import { ServiceMonitor } from "../imports/monitoring-servicemonitor-monitoring.coreos.com";
import { selectorLabels } from "../labels";
import { size } from "../quantities";
import {
  containerResources,
  containerSecurityContext,
  podSecurityContext,
  type SecretKeyReference,
  secretEnvVariables,
} from "./container-parts";

export type { SecretKeyReference } from "./container-parts";

/** A namespace (only the pods with `podLabels`, when given) and the TCP ports the service may reach there. */
export interface EgressRule {
  readonly namespace: string;
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
}

export interface HonoServiceProps {
  /** Object name and `app.kubernetes.io/name`, e.g. `payments`. */
  readonly name: string;
  readonly namespace: string;
  readonly image: Image;
  /** Labels on every object (the selector labels are added to them). */
  readonly labels: Readonly<Record<string, string>>;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilizationPercent: number;
  readonly resources: Resources;
  /** The port the service listens on; it also serves `/metrics`. @default 8080 */
  readonly port?: number;
  /** Non-secret settings, rendered into the ConfigMap and read with `envFrom`. */
  readonly config: Readonly<Record<string, string>>;
  /** Secret settings: environment variable → Secret key. Never values. */
  readonly secrets: Readonly<Record<string, SecretKeyReference>>;
  /** Namespaces whose pods may call the service (the operator, Prometheus, peers). */
  readonly ingressNamespaces: readonly string[];
  /** Where the service may connect besides DNS. */
  readonly egress: readonly EgressRule[];
  /** Set POD_IP from the downward API (replicas that call each other). @default false */
  readonly podIp?: boolean;
  /** Allow HTTPS to outside the cluster (payment providers). @default false */
  readonly egressInternetHttps?: boolean;
  /** Pods run only on nodes with these labels. @default any node */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Run as this ServiceAccount with its token mounted, and reach the Kubernetes API server
   * (people's tokens are reviewed there). @default the namespace's default, no token
   */
  readonly serviceAccount?: plus.IServiceAccount;
}

/** Pod template annotation holding a digest of the service's ConfigMap. */
export const configDigestAnnotation = "breakwater.dev/config-sha256";

function configDigest(data: Readonly<Record<string, string>>): string {
  return createHash("sha256").update(JSON.stringify(data)).digest("hex");
}

export class HonoService extends Construct {
  readonly deployment: plus.Deployment;
  readonly service: plus.Service;
  readonly configMap: plus.ConfigMap;
  readonly port: number;

  constructor(scope: Construct, id: string, props: HonoServiceProps) {
    super(scope, id);
    this.port = props.port ?? 8080;
    const labels = { ...props.labels, ...selectorLabels(props.name) };
    const metadata = { name: props.name, namespace: props.namespace, labels };
    this.configMap = new plus.ConfigMap(this, "config", {
      metadata: { ...metadata, name: `${props.name}-config` },
      data: { ...props.config, PORT: String(this.port) },
    });
    this.deployment = this.createDeployment(props, metadata);
    this.service = new plus.Service(this, "service", {
      metadata,
      selector: this.deployment,
      ports: [{ name: "http", port: this.port, targetPort: this.port }],
    });
    this.createDisruptionBudget(props, metadata);
    new plus.HorizontalPodAutoscaler(this, "autoscaler", {
      metadata,
      target: this.deployment,
      minReplicas: props.minReplicas,
      maxReplicas: props.maxReplicas,
      metrics: [
        plus.Metric.resourceCpu(
          plus.MetricTarget.averageUtilization(props.targetCpuUtilizationPercent),
        ),
      ],
    });
    this.createNetworkPolicy(props, metadata);
    new ServiceMonitor(this, "service-monitor", {
      metadata,
      spec: {
        selector: { matchLabels: selectorLabels(props.name) },
        namespaceSelector: { matchNames: [props.namespace] },
        endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
      },
    });
  }

  private createDeployment(props: HonoServiceProps, metadata: plus.k8s.ObjectMeta) {
    const tmp = plus.Volume.fromEmptyDir(this, "tmp", "tmp", { sizeLimit: size("64Mi") });
    const probe = (path: string) =>
      plus.Probe.fromHttpGet(path, {
        port: this.port,
        periodSeconds: Duration.seconds(5),
        failureThreshold: 3,
        timeoutSeconds: Duration.seconds(2),
      });
    const envVariables: Record<string, plus.EnvValue> = {
      // Each replica acknowledges control versions under its own pod name.
      REPLICA_ID: plus.EnvValue.fromFieldRef(plus.EnvFieldPaths.POD_NAME),
      ...(props.podIp ? { POD_IP: plus.EnvValue.fromFieldRef(plus.EnvFieldPaths.POD_IP) } : {}),
      ...secretEnvVariables(this, props.secrets),
    };
    const deployment = new plus.Deployment(this, "deployment", {
      metadata,
      podMetadata: {
        labels: metadata.labels,
        // The service reads its environment once, at start: a changed ConfigMap rolls the pods.
        annotations: { [configDigestAnnotation]: configDigest(this.configMap.data) },
      },
      // A replica that cannot load its controls must not take traffic: roll one at a time.
      strategy: plus.DeploymentStrategy.rollingUpdate({
        maxSurge: plus.PercentOrAbsolute.absolute(1),
        maxUnavailable: plus.PercentOrAbsolute.absolute(0),
      }),
      serviceAccount: props.serviceAccount,
      automountServiceAccountToken: props.serviceAccount !== undefined,
      securityContext: podSecurityContext,
      containers: [
        {
          name: "service",
          image: imageReference(props.image),
          imagePullPolicy: plus.ImagePullPolicy.IF_NOT_PRESENT,
          // One image runs every program: the arguments say which service this is.
          command: [...imageEntrypoint],
          args: serviceArgs(props.name),
          ports: [{ name: "http", number: this.port }],
          envFrom: [plus.Env.fromConfigMap(this.configMap)],
          envVariables,
          volumeMounts: [{ path: "/tmp", volume: tmp }],
          liveness: probe("/health/live"),
          readiness: probe("/health/ready"),
          resources: containerResources(props.resources),
          securityContext: containerSecurityContext,
        },
      ],
    });
    for (const [key, value] of Object.entries(props.nodeSelector ?? {})) {
      deployment.scheduling.attract(plus.Node.labeled(plus.NodeLabelQuery.is(key, value)));
    }
    return deployment;
  }

  private createDisruptionBudget(props: HonoServiceProps, metadata: plus.k8s.ObjectMeta) {
    // With one replica, a budget of one would block every node drain; allow it then.
    const minAvailable = props.minReplicas > 1 ? props.minReplicas - 1 : 0;
    new plus.k8s.KubePodDisruptionBudget(this, "disruption-budget", {
      metadata,
      spec: {
        minAvailable: plus.k8s.IntOrString.fromNumber(minAvailable),
        selector: { matchLabels: selectorLabels(props.name) },
      },
    });
  }

  private createNetworkPolicy(props: HonoServiceProps, metadata: plus.k8s.ObjectMeta) {
    const tcp = (port: number) => ({
      protocol: "TCP",
      port: plus.k8s.IntOrString.fromNumber(port),
    });
    const inNamespace = (namespace: string) => ({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
    });
    const dns = {
      to: [inNamespace("kube-system")],
      ports: [
        { protocol: "UDP", port: plus.k8s.IntOrString.fromNumber(53) },
        { protocol: "TCP", port: plus.k8s.IntOrString.fromNumber(53) },
      ],
    };
    const egress: plus.k8s.NetworkPolicyEgressRule[] = [
      dns,
      ...props.egress.map((rule) => ({
        to: [
          rule.podLabels
            ? {
                ...inNamespace(rule.namespace),
                podSelector: { matchLabels: { ...rule.podLabels } },
              }
            : inNamespace(rule.namespace),
        ],
        ports: rule.ports.map(tcp),
      })),
    ];
    if (props.egressInternetHttps) {
      egress.push({
        to: [
          {
            ipBlock: {
              cidr: "0.0.0.0/0",
              except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
            },
          },
        ],
        ports: [tcp(443)],
      });
    }
    if (props.serviceAccount !== undefined) {
      // The API server sits outside the pod network at an address each cluster chooses
      // (kubernetes.default.svc forwards to it), so only its ports can be named here.
      egress.push({
        to: [{ ipBlock: { cidr: "0.0.0.0/0" } }],
        ports: [tcp(443), tcp(6443)],
      });
    }
    new plus.k8s.KubeNetworkPolicy(this, "network-policy", {
      metadata,
      spec: {
        podSelector: { matchLabels: selectorLabels(props.name) },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: props.ingressNamespaces.map(inNamespace), ports: [tcp(this.port)] }],
        egress,
      },
    });
  }
}
