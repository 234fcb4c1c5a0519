/**
 * @module `HookJob`: a Job Argo CD runs around a sync (a resource hook), e.g. a release's
 * migrations before it (PreSync) and its smoke checks after it (PostSync). A failed hook fails
 * the sync. The Job's pods get their own labels, never the service's (so its Service, budget
 * and policy never select them), and a NetworkPolicy opening only what they reach.
 */
import { Duration } from "cdk8s";
import * as plus from "cdk8s-plus-27";
import { Construct } from "constructs";
import type { Image, Resources } from "../../environments";
import { imageEntrypoint } from "../container-image";
import { imageReference } from "../conventions";
import { selectorLabels } from "../labels";
import { size } from "../quantities";
import {
  containerResources,
  containerSecurityContext,
  podSecurityContext,
  type SecretKeyReference,
  secretEnvVariables,
} from "./container-parts";
import type { EgressRule } from "./hono-service";

/** The Argo CD hook annotation and the phases breakwater uses. */
export const hookAnnotation = "argocd.argoproj.io/hook";
export const hookDeletePolicyAnnotation = "argocd.argoproj.io/hook-delete-policy";
/**
 * Replace the previous run when the next sync starts, and delete a run that succeeded: a
 * failed run stays until then, for `kubectl logs`.
 */
export const hookDeletePolicy = "BeforeHookCreation,HookSucceeded";

export interface HookJobProps {
  /** Job name and `app.kubernetes.io/name`, e.g. `payments-migrate`. */
  readonly name: string;
  readonly namespace: string;
  readonly hook: "PreSync" | "PostSync";
  readonly image: Image;
  /** The program and its arguments after the image's entrypoint. */
  readonly args: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string>>;
  readonly secrets?: Readonly<Record<string, SecretKeyReference>>;
  readonly resources: Resources;
  /** Where the Job may connect besides DNS. */
  readonly egress: readonly EgressRule[];
  /** Runs after the first this many seconds are over fail. @default 600 */
  readonly deadlineSeconds?: number;
  /** Retries of a failed pod. @default 1 */
  readonly backoffLimit?: number;
}

export class HookJob extends Construct {
  readonly job: plus.Job;

  constructor(scope: Construct, id: string, props: HookJobProps) {
    super(scope, id);
    const labels = { ...props.labels, ...selectorLabels(props.name) };
    const metadata = { name: props.name, namespace: props.namespace, labels };
    const tmp = plus.Volume.fromEmptyDir(this, "tmp", "tmp", { sizeLimit: size("64Mi") });
    const envVariables: Record<string, plus.EnvValue> = secretEnvVariables(
      this,
      props.secrets ?? {},
    );
    for (const [variable, value] of Object.entries(props.env ?? {})) {
      envVariables[variable] = plus.EnvValue.fromValue(value);
    }
    this.job = new plus.Job(this, "job", {
      metadata: {
        ...metadata,
        annotations: {
          [hookAnnotation]: props.hook,
          [hookDeletePolicyAnnotation]: hookDeletePolicy,
        },
      },
      podMetadata: { labels },
      activeDeadline: Duration.seconds(props.deadlineSeconds ?? 600),
      backoffLimit: props.backoffLimit ?? 1,
      automountServiceAccountToken: false,
      securityContext: podSecurityContext,
      containers: [
        {
          name: "hook",
          image: imageReference(props.image),
          imagePullPolicy: plus.ImagePullPolicy.IF_NOT_PRESENT,
          command: [...imageEntrypoint],
          args: [...props.args],
          envVariables,
          volumeMounts: [{ path: "/tmp", volume: tmp }],
          resources: containerResources(props.resources),
          securityContext: containerSecurityContext,
        },
      ],
    });
    this.createNetworkPolicy(props, metadata);
  }

  private createNetworkPolicy(props: HookJobProps, metadata: plus.k8s.ObjectMeta) {
    const inNamespace = (namespace: string) => ({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
    });
    const port = (protocol: string, number: number) => ({
      protocol,
      port: plus.k8s.IntOrString.fromNumber(number),
    });
    new plus.k8s.KubeNetworkPolicy(this, "network-policy", {
      // A hook of the same phase (Argo CD applies a NetworkPolicy before a Job of one wave),
      // so even a release's first sync has the policy before its Job starts; it is replaced
      // at the next sync, not deleted after a success.
      metadata: {
        ...metadata,
        annotations: {
          [hookAnnotation]: props.hook,
          [hookDeletePolicyAnnotation]: "BeforeHookCreation",
        },
      },
      spec: {
        podSelector: { matchLabels: selectorLabels(props.name) },
        policyTypes: ["Ingress", "Egress"],
        ingress: [],
        egress: [
          { to: [inNamespace("kube-system")], ports: [port("UDP", 53), port("TCP", 53)] },
          ...props.egress.map((rule) => ({
            to: [inNamespace(rule.namespace)],
            ports: rule.ports.map((number) => port("TCP", number)),
          })),
        ],
      },
    });
  }
}
