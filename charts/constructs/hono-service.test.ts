/**
 * @module Tests that a service runs hardened (non-root, read-only root with a writable /tmp,
 * probes), takes secrets only by reference, and gets its Service, budget, autoscaler, network
 * policy and scrape config.
 */
import { Chart, Testing } from "cdk8s";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { imageEntrypoint, imageUser } from "../container-image";
import { configDigestAnnotation, HonoService, type HonoServiceProps } from "./hono-service";

type Manifest = {
  kind: string;
  metadata: { name: string };
  spec: any;
  data?: Record<string, string>;
};

const props: HonoServiceProps = {
  name: "payments",
  namespace: "breakwater-services",
  image: { repository: "ghcr.io/breakwater/breakwater", tag: "0.1.0" },
  labels: { "app.kubernetes.io/part-of": "breakwater" },
  minReplicas: 3,
  maxReplicas: 12,
  targetCpuUtilizationPercent: 65,
  resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } },
  config: { LOG_LEVEL: "info" },
  secrets: { ADMIN_TOKEN: { name: "payments-admin-token", key: "token" } },
  ingressNamespaces: ["breakwater-system", "monitoring"],
  egress: [{ namespace: "data-plane", ports: [5432, 6379] }],
};

function synth(overrides: Partial<HonoServiceProps> = {}): Manifest[] {
  const chart = new Chart(Testing.app(), "test", { disableResourceNameHashes: true });
  new HonoService(chart, "payments", { ...props, ...overrides });
  return Testing.synth(chart) as Manifest[];
}

const byKind = (manifests: Manifest[], kind: string) => manifests.find((m) => m.kind === kind)!;

test("renders each object a service needs", () => {
  assert.equal(
    synth()
      .map((m) => m.kind)
      .sort(),
    [
      "ConfigMap",
      "Deployment",
      "HorizontalPodAutoscaler",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "Service",
      "ServiceMonitor",
    ],
  );
});

test("the container is non-root with a read-only root filesystem and a writable /tmp", () => {
  const pod = byKind(synth(), "Deployment").spec.template.spec;
  const container = pod.containers[0];
  assert.is(pod.securityContext.runAsNonRoot, true);
  assert.is(container.securityContext.readOnlyRootFilesystem, true);
  assert.is(container.securityContext.allowPrivilegeEscalation, false);
  assert.is(container.securityContext.runAsNonRoot, true);
  const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === "/tmp");
  assert.ok(
    pod.volumes.find(
      (v: { name: string; emptyDir?: object }) => v.name === mount.name && v.emptyDir,
    ),
  );
  assert.is(container.livenessProbe.httpGet.path, "/health/live");
  assert.is(container.readinessProbe.httpGet.path, "/health/ready");
  assert.equal(container.resources, {
    limits: { cpu: "2", memory: "1024Mi" },
    requests: { cpu: "500m", memory: "512Mi" },
  });
});

test("the container runs exactly its own service from the shared image, as the image's user", () => {
  for (const name of ["payments", "escrow"]) {
    const pod = byKind(synth({ name }), "Deployment").spec.template.spec;
    const container = pod.containers[0];
    assert.equal(container.command, imageEntrypoint);
    assert.equal(container.args, ["services/run.ts", name]);
    assert.is(container.image, "ghcr.io/breakwater/breakwater:0.1.0");
    assert.is(pod.securityContext.runAsUser, imageUser);
    assert.is(container.securityContext.runAsUser, imageUser);
    assert.is(container.securityContext.runAsGroup, imageUser);
  }
});

test("config comes from the ConfigMap and secrets only through secretKeyRef", () => {
  const manifests = synth();
  const container = byKind(manifests, "Deployment").spec.template.spec.containers[0];
  assert.equal(container.envFrom, [{ configMapRef: { name: "payments-config" } }]);
  assert.equal(byKind(manifests, "ConfigMap").data, { LOG_LEVEL: "info", PORT: "8080" });
  const token = container.env.find((e: { name: string }) => e.name === "ADMIN_TOKEN");
  assert.equal(token.valueFrom, { secretKeyRef: { name: "payments-admin-token", key: "token" } });
  assert.not.ok(container.env.some((e: { value?: string }) => e.value !== undefined));
});

test("the autoscaler and the disruption budget follow the replica bounds", () => {
  const manifests = synth();
  const autoscaler = byKind(manifests, "HorizontalPodAutoscaler").spec;
  assert.is(autoscaler.minReplicas, 3);
  assert.is(autoscaler.maxReplicas, 12);
  assert.is(autoscaler.scaleTargetRef.name, "payments");
  assert.is(byKind(manifests, "PodDisruptionBudget").spec.minAvailable, 2);
  assert.is(byKind(synth({ minReplicas: 1 }), "PodDisruptionBudget").spec.minAvailable, 0);
});

test("the network policy admits only the named namespaces and reaches only the data ports", () => {
  const policy = byKind(synth(), "NetworkPolicy").spec;
  assert.equal(policy.policyTypes, ["Ingress", "Egress"]);
  const from = policy.ingress[0].from.map(
    (peer: any) => peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"],
  );
  assert.equal(from, ["breakwater-system", "monitoring"]);
  const data = policy.egress.find(
    (rule: any) =>
      rule.to[0].namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] === "data-plane",
  );
  assert.equal(
    data.ports.map((port: { port: number }) => port.port),
    [5432, 6379],
  );
  assert.not.ok(policy.egress.some((rule: any) => rule.to[0].ipBlock));
  const open = byKind(synth({ egressInternetHttps: true }), "NetworkPolicy").spec;
  assert.ok(open.egress.some((rule: any) => rule.to[0].ipBlock && rule.ports[0].port === 443));
});

test("Prometheus scrapes /metrics on the http port", () => {
  const monitor = byKind(synth(), "ServiceMonitor").spec;
  assert.equal(monitor.endpoints, [{ port: "http", path: "/metrics", interval: "30s" }]);
  assert.equal(byKind(synth(), "Service").spec.ports[0].name, "http");
});

test("a changed setting changes the pod template, so the replicas restart and read it", () => {
  const digest = (config: Record<string, string>) =>
    byKind(synth({ config }), "Deployment").spec.template.metadata.annotations[
      configDigestAnnotation
    ];
  assert.match(digest({ LOG_LEVEL: "info" }), /^[0-9a-f]{64}$/);
  assert.is(digest({ LOG_LEVEL: "info" }), digest({ LOG_LEVEL: "info" }));
  assert.is.not(digest({ LOG_LEVEL: "debug" }), digest({ LOG_LEVEL: "info" }));
});

test.run();
