/**
 * @module Per environment, the platform program installs every operator from its pinned chart
 * (exact version, its repository, the right namespace), orders the Barman Cloud plugin after
 * cert-manager and CloudNativePG, and gives Argo CD the control health checks.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { environmentNames, loadEnvironment } from "../environments";
import { controlHealthScript, controlKinds, healthCheckKey } from "./argocd/control-health-checks";
import { chartPins, isExactVersion } from "./charts";
import { named, ofType, type RecordedResource, runPlatformStack } from "./testing/mock-stack";

const chartType = "kubernetes:helm.sh/v4:Chart";

function chartInputs(chart: RecordedResource) {
  return chart.inputs as {
    chart: string;
    version: string;
    namespace: string;
    repositoryOpts: { repo: string };
    values: Record<string, unknown>;
  };
}

for (const environmentName of environmentNames) {
  const environment = loadEnvironment(environmentName);

  test(`${environmentName}: installs each of the seven operators once, at its pinned version`, async () => {
    const run = await runPlatformStack(environmentName);
    const charts = ofType(run, chartType).map(chartInputs);
    assert.equal(
      charts.map((chart) => chart.chart).sort(),
      Object.values(chartPins)
        .map((pin) => pin.chart)
        .sort(),
    );
    for (const pin of Object.values(chartPins)) {
      const chart = charts.find((candidate) => candidate.chart === pin.chart)!;
      assert.ok(isExactVersion(chart.version), `${pin.chart}: ${chart.version} is not exact`);
      assert.is(chart.version, pin.version, pin.chart);
      assert.is(chart.repositoryOpts.repo, pin.repository, pin.chart);
    }
  });

  test(`${environmentName}: puts each chart in its namespace`, async () => {
    const run = await runPlatformStack(environmentName);
    const namespaceOf = (name: string) => chartInputs(named(run, chartType, name)).namespace;
    assert.is(namespaceOf("cert-manager"), "cert-manager");
    assert.is(namespaceOf("cloudnative-pg"), "cnpg-system");
    // The plugin is only discovered in the CloudNativePG operator's namespace.
    assert.is(namespaceOf("barman-cloud-plugin"), namespaceOf("cloudnative-pg"));
    assert.is(namespaceOf("redpanda-operator"), "redpanda-system");
    assert.is(namespaceOf("redis-operator"), "redis-operator");
    assert.is(namespaceOf("monitoring"), environment.namespaces.monitoring.name);
    assert.is(namespaceOf("argo-cd"), environment.namespaces.gitops.name);
  });

  test(`${environmentName}: the Barman Cloud plugin waits for cert-manager and CloudNativePG`, async () => {
    const run = await runPlatformStack(environmentName);
    const plugin = named(run, chartType, "barman-cloud-plugin");
    assert.ok(plugin.dependencyUrns.includes(named(run, chartType, "cert-manager").urn));
    assert.ok(plugin.dependencyUrns.includes(named(run, chartType, "cloudnative-pg").urn));
    // And cert-manager does not wait for the plugin (no cycle, no reversed order).
    const certManager = named(run, chartType, "cert-manager");
    assert.not.ok(certManager.dependencyUrns.includes(plugin.urn));
  });

  test(`${environmentName}: the redis-operator is installed from its pinned chart, without webhook`, async () => {
    const run = await runPlatformStack(environmentName);
    const chart = chartInputs(named(run, chartType, "redis-operator"));
    assert.is(chart.chart, "redis-operator");
    assert.is(chart.version, "0.26.0");
    assert.is(chart.repositoryOpts.repo, "https://ot-container-kit.github.io/helm-charts");
    assert.equal(chart.values.certmanager, { enabled: false });
    assert.is((chart.values.redisOperator as { webhook: boolean }).webhook, false);
    assert.is(chart.values.replicas, environment.operator.replicas);
  });

  test(`${environmentName}: every chart waits for the namespaces`, async () => {
    const run = await runPlatformStack(environmentName);
    const namespaceUrns = ofType(run, "kubernetes:core/v1:Namespace").map((ns) => ns.urn);
    for (const chart of ofType(run, chartType)) {
      for (const urn of namespaceUrns) {
        assert.ok(chart.dependencyUrns.includes(urn), `${chart.name} does not wait for ${urn}`);
      }
    }
  });

  test(`${environmentName}: Argo CD judges every control kind with the health script`, async () => {
    const run = await runPlatformStack(environmentName);
    const values = chartInputs(named(run, chartType, "argo-cd")).values as {
      configs: { cm: Record<string, string> };
    };
    for (const kind of controlKinds) {
      const key = `resource.customizations.health.ops.breakwater.dev_${kind}`;
      assert.is(healthCheckKey(kind), key);
      assert.is(values.configs.cm[key], controlHealthScript, kind);
    }
  });

  test(`${environmentName}: Argo CD's ApplicationSet controller runs progressive syncs`, async () => {
    const run = await runPlatformStack(environmentName);
    const values = chartInputs(named(run, chartType, "argo-cd")).values as {
      configs: { params?: Record<string, unknown> };
    };
    // A string, as argocd-cmd-params-cm holds it; the controller reads it at start.
    assert.is(values.configs.params?.["applicationsetcontroller.enable.progressive.syncs"], "true");
  });

  test(`${environmentName}: Argo CD tracks by annotation, so it prunes only what it synced`, async () => {
    const run = await runPlatformStack(environmentName);
    const values = chartInputs(named(run, chartType, "argo-cd")).values as {
      configs: { cm: Record<string, string> };
    };
    assert.is(values.configs.cm["application.resourceTrackingMethod"], "annotation");
  });

  test(`${environmentName}: operators run as many replicas as the environment's operator`, async () => {
    const run = await runPlatformStack(environmentName);
    const values = chartInputs(named(run, chartType, "cloudnative-pg")).values;
    assert.is(values.replicaCount, environment.operator.replicas);
  });
}

test.run();
