/**
 * @module What every breakwater program's pod shares in the charts: the hardened container
 * security context, requests and limits from an environment's sizes, a ServiceMonitor for its
 * `/metrics`, and the inclusion of manifests another module builds as data.
 */
import { ApiObject } from "cdk8s";
import type * as plus from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { imageUser } from "./container-image";
import { ServiceMonitor } from "./imports/monitoring-servicemonitor-monitoring.coreos.com";
import { selectorLabels } from "./labels";
import { cpu, size } from "./quantities";

/** Non-root as the image's user, read-only root filesystem, no privilege escalation. */
export const hardenedContainer: plus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  user: imageUser,
  group: imageUser,
};

interface Sizes {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** cdk8s-plus container resources from an environment's sizes. */
export function containerResources(sizes: Sizes): plus.ContainerResources {
  return {
    cpu: { request: cpu(sizes.requests.cpu), limit: cpu(sizes.limits.cpu) },
    memory: { request: size(sizes.requests.memory), limit: size(sizes.limits.memory) },
  };
}

/** A ServiceMonitor scraping `/metrics` on the named port of the program's Service. */
export function metricsMonitor(
  scope: Construct,
  name: string,
  namespace: string,
  labels: Record<string, string>,
  port: string,
  options: { readonly honorLabels?: boolean } = {},
): ServiceMonitor {
  return new ServiceMonitor(scope, "service-monitor", {
    metadata: { name, namespace, labels },
    spec: {
      selector: { matchLabels: selectorLabels(name) },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [
        {
          port,
          path: "/metrics",
          interval: "30s",
          ...(options.honorLabels ? { honorLabels: true } : {}),
        },
      ],
    },
  });
}

/** Renders a manifest another module builds (CRDs, RBAC, policies) exactly as given. */
export function includeManifest(scope: Construct, manifest: Record<string, unknown>): ApiObject {
  const metadata = manifest.metadata as { name: string; namespace?: string };
  const id = `${manifest.kind}-${metadata.namespace ?? "cluster"}-${metadata.name}`;
  const { apiVersion, kind, ...rest } = manifest as { apiVersion: string; kind: string };
  return new ApiObject(scope, id, { apiVersion, kind, ...rest } as ConstructorParameters<
    typeof ApiObject
  >[2]);
}
