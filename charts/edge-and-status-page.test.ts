/**
 * @module Tests that every environment runs the exchange's edge and the status page as a
 * user of the cluster needs them: the edge's Deployment (replicas, probes, resources), budget,
 * Service, scraping, the settings and Secrets it reads (the core's in-cluster URL, the
 * `orders:on-behalf` token, the API-key master, Kafka, Redis), a NetworkPolicy that lets it
 * reach only the exchange's pods besides the data plane; the status page reading the controls
 * in-cluster with a list/watch ClusterRole, served at its public hostname; and neither owning
 * a database cluster: both keep their tables in the exchange's.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { environmentNames, loadEnvironment, serviceDatabases } from "../environments";
import {
  controlsReaderRole,
  controlsReaderRules,
} from "../services/status-page/controls-reader-role";
import { exchangeEdgeComponent } from "./alerts/exchange-edge-alerts";
import { containerEnvironment, findDeployment, type RenderedObject } from "./container-environment";
import { databaseClusterName, serviceHost, servicePort } from "./conventions";
import { selectorLabels } from "./labels";
import { renderEnvironment } from "./render";
import { requiredSecrets } from "./required-secrets";

interface Peer {
  readonly namespaceSelector?: { readonly matchLabels: Record<string, string> };
  readonly podSelector?: { readonly matchLabels: Record<string, string> };
  readonly ipBlock?: { readonly cidr: string };
}

interface PolicyRule {
  readonly to?: readonly Peer[];
  readonly from?: readonly Peer[];
  readonly ports?: readonly { readonly port: number; readonly protocol: string }[];
}

interface PolicySpec {
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
}

const edge = "exchange-edge";
const statusPage = "status-page";

function namespaceOf(peer: Peer): string | undefined {
  return peer.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"];
}

for (const name of environmentNames) {
  const environment = loadEnvironment(name);
  const objects = renderEnvironment(environment).map(({ object }) => object as RenderedObject);
  const namespaces = environment.namespaces;
  const services = namespaces.services.name;
  const find = (kind: string, objectName: string, namespace?: string) =>
    objects.find(
      (object) =>
        object.kind === kind &&
        object.metadata.name === objectName &&
        (namespace === undefined || object.metadata.namespace === namespace),
    );
  const variable = (service: string, key: string) =>
    containerEnvironment(objects, services, service).get(key);
  const policyOf = (service: string) =>
    (find("NetworkPolicy", service, services)?.spec ?? { ingress: [], egress: [] }) as PolicySpec;

  test(`${name}: the edge runs with its replicas, probes, resources, budget, Service and scraping`, () => {
    const settings = environment.services[edge];
    assert.ok(settings.enabled);
    const { container } = findDeployment(objects, services, edge);
    const probes = container as unknown as {
      livenessProbe: { httpGet: { path: string } };
      readinessProbe: { httpGet: { path: string } };
      resources: { requests: { cpu: string }; limits: { cpu: string } };
    };
    assert.is(probes.livenessProbe.httpGet.path, "/health/live");
    assert.is(probes.readinessProbe.httpGet.path, "/health/ready");
    assert.is(probes.resources.requests.cpu, settings.resources.requests.cpu);
    assert.is(probes.resources.limits.cpu, settings.resources.limits.cpu);
    const autoscaler = find("HorizontalPodAutoscaler", edge, services)?.spec as {
      minReplicas: number;
    };
    assert.is(autoscaler.minReplicas, settings.minReplicas);
    if (name === "prod") assert.ok(settings.minReplicas >= 2, "prod runs two edges or more");
    const budget = find("PodDisruptionBudget", edge, services)?.spec as { minAvailable: number };
    assert.is(budget.minAvailable, Math.max(0, settings.minReplicas - 1));
    const service = find("Service", edge, services)?.spec as {
      ports: { port: number; name: string }[];
      selector: Record<string, string>;
    };
    assert.equal(
      service.ports.map((port) => [port.name, port.port]),
      [["http", servicePort]],
    );
    const deployment = find("Deployment", edge, services)?.spec as {
      template: { metadata: { labels: Record<string, string> } };
    };
    const podLabels = deployment.template.metadata.labels;
    assert.ok(Object.keys(service.selector).length > 0);
    for (const [key, value] of Object.entries(service.selector)) {
      assert.is(podLabels[key], value, `the Service selects the edge's pods by ${key}`);
    }
    const monitor = find("ServiceMonitor", edge, services)?.spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string; path: string }[];
    };
    assert.equal(monitor.selector.matchLabels, selectorLabels(edge));
    assert.equal(monitor.endpoints[0], { port: "http", path: "/metrics", interval: "30s" });
    assert.ok(find("ServiceAccount", edge, services), "its own ServiceAccount");
  });

  test(`${name}: the edge reads the core's in-cluster URL, its token and key master from Secrets, Kafka and Redis`, () => {
    const url = variable(edge, "EXCHANGE_ORDERS_URL");
    const core = find("Service", "exchange", services);
    assert.ok(core, "the exchange's Service is rendered");
    assert.is(
      url?.from === "configMap" ? url.value : undefined,
      `http://${serviceHost("exchange", services)}:${servicePort}/v1/orders`,
    );
    assert.equal(variable(edge, "EXCHANGE_ORDERS_TOKEN"), {
      from: "secret",
      name: "exchange-edge-orders",
      key: "token",
    });
    assert.equal(variable(edge, "EDGE_API_KEY_MASTER"), {
      from: "secret",
      name: "exchange-edge-api-keys",
      key: "master",
    });
    assert.equal(variable(edge, "REDIS_URL"), { from: "secret", name: "redis-url", key: "url" });
    assert.is(variable(edge, "KAFKA_BROKERS")?.from, "configMap");
    const symbols = variable(edge, "EDGE_SYMBOLS");
    const traded = environment.services.exchange.config.EXCHANGE_SYMBOLS;
    assert.is(symbols?.from === "configMap" ? symbols.value : undefined, traded);
    // Pulumi is told to create both Secrets, the token with the scope the core asks for.
    const secrets = requiredSecrets(environment).map((secret) => `${secret.name}/${secret.keys}`);
    assert.ok(secrets.includes("exchange-edge-orders/token"));
    assert.ok(secrets.includes("exchange-edge-api-keys/master"));
  });

  test(`${name}: the edge takes traffic from Prometheus and reaches only the exchange's pods, the data plane, DNS`, () => {
    const policy = policyOf(edge);
    const sources = policy.ingress.flatMap((rule) => (rule.from ?? []).map(namespaceOf));
    assert.ok(sources.includes(namespaces.monitoring.name), "Prometheus scrapes it");
    const inServices = policy.egress.filter((rule) =>
      (rule.to ?? []).some((peer) => namespaceOf(peer) === services),
    );
    assert.equal(
      inServices.map((rule) => [rule.to?.[0]?.podSelector?.matchLabels, rule.ports?.[0]?.port]),
      [[selectorLabels("exchange"), servicePort]],
    );
    const destinations = policy.egress.flatMap((rule) => (rule.to ?? []).map(namespaceOf));
    assert.ok(destinations.includes("kube-system"), "DNS");
    const data = policy.egress.find((rule) =>
      (rule.to ?? []).some((peer) => namespaceOf(peer) === namespaces.data.name),
    );
    assert.ok(
      data?.ports?.some((port) => port.port === 9093),
      "Kafka",
    );
  });

  test(`${name}: the status page reads the controls in-cluster with list and watch only`, () => {
    assert.ok(environment.services[statusPage].enabled);
    findDeployment(objects, services, statusPage);
    assert.ok(find("Service", statusPage, services));
    const kubeconfig = variable(statusPage, "STATUS_KUBECONFIG");
    assert.is(kubeconfig?.from === "configMap" ? kubeconfig.value : undefined, "in-cluster");
    const role = find("ClusterRole", controlsReaderRole) as unknown as {
      rules: { verbs: string[]; resources: string[] }[];
    };
    assert.equal(role.rules, controlsReaderRules());
    assert.equal([...new Set(role.rules.flatMap((rule) => rule.verbs))].sort(), ["list", "watch"]);
    const binding = objects.find(
      (object) =>
        object.kind === "ClusterRoleBinding" &&
        (object as unknown as { roleRef: { name: string } }).roleRef.name === controlsReaderRole,
    ) as unknown as { subjects: { name: string; namespace: string }[] };
    assert.equal(
      binding.subjects.map((subject) => [subject.name, subject.namespace]),
      [[statusPage, services]],
    );
    const apiServer = policyOf(statusPage).egress.find((rule) =>
      rule.ports?.some((port) => port.port === 6443),
    );
    assert.ok(apiServer, "the status page reaches the API server");
  });

  test(`${name}: the status page is served at its public hostname`, () => {
    const url = variable(statusPage, "STATUS_PAGE_URL");
    const host = new URL(url?.from === "configMap" ? url.value : "http://unset.invalid").hostname;
    if (environment.cdn) assert.ok(environment.cdn.hostnames.includes(host), host);
    else assert.match(host, /\.invalid$/);
  });

  test(`${name}: neither the edge nor the status page owns a database, both use the exchange's`, () => {
    for (const service of [edge, statusPage] as const) {
      const database = serviceDatabases[service];
      assert.is(database, "exchange");
      assert.is(find("Cluster", `${service}-db`), undefined, `${service} gets no Cluster`);
      assert.is(find("ScheduledBackup", `${service}-db`), undefined, `${service} gets no backup`);
      assert.ok(find("Cluster", databaseClusterName(database)), "the exchange's cluster");
      assert.equal(variable(service, "DATABASE_URL"), {
        from: "secret",
        name: `${service}-database`,
        key: "uri",
      });
      const secret = requiredSecrets(environment).find((s) => s.name === `${service}-database`);
      assert.match(secret?.purpose ?? "", `@${databaseClusterName(database)}-rw.`);
    }
    const clusters = objects.filter((object) => object.kind === "Cluster");
    assert.equal(clusters.map((cluster) => cluster.metadata.name).sort(), [
      "escrow-db",
      "exchange-db",
      "payments-db",
      "purchasing-db",
    ]);
  });

  test(`${name}: the edge's alerts and dashboard are rendered with the others`, () => {
    const monitoring = namespaces.monitoring.name;
    const rules = objects.filter(
      (object) => object.kind === "PrometheusRule" && object.metadata.namespace === monitoring,
    );
    assert.ok(
      rules.some((rule) =>
        JSON.stringify(rule.spec).includes(`breakwater.${exchangeEdgeComponent}`),
      ),
      "the edge's alert group",
    );
    const dashboards = objects.filter(
      (object) =>
        object.kind === "ConfigMap" &&
        object.metadata.namespace === monitoring &&
        object.metadata.name.includes("exchange-edge"),
    );
    assert.is(dashboards.length, 1);
  });
}

test.run();
