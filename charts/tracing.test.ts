/**
 * @module Tests that every rendered service and the operator are set up to export their traces
 * to the environment's Tempo distributor (the variables the programs read, their own
 * `service.name`, the environment as a resource attribute) and that each service's
 * NetworkPolicy lets the spans out to it; an environment without `tracing` renders none of it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Environment, environmentNames, loadEnvironment } from "../environments";
import { containerEnvironment, type RenderedObject } from "./container-environment";
import { operatorName } from "./operator-chart";
import { renderEnvironment } from "./render";

interface EgressRule {
  readonly to?: readonly {
    readonly namespaceSelector?: { readonly matchLabels?: Readonly<Record<string, string>> };
  }[];
  readonly ports?: readonly { readonly port: number }[];
}

function rendered(environment: Environment): RenderedObject[] {
  return renderEnvironment(environment).map(({ object }) => object as RenderedObject);
}

function enabledServices(environment: Environment): string[] {
  return Object.entries(environment.services)
    .filter(([, service]) => service.enabled)
    .map(([service]) => service);
}

function literal(variables: ReturnType<typeof containerEnvironment>, name: string) {
  const source = variables.get(name);
  return source?.from === "configMap" || source?.from === "value" ? source.value : undefined;
}

/** The ports a service's NetworkPolicy lets it reach in `namespace`. */
function egressPorts(objects: RenderedObject[], environment: Environment, service: string) {
  const policy = objects.find(
    (object) =>
      object.kind === "NetworkPolicy" &&
      object.metadata.name === service &&
      object.metadata.namespace === environment.namespaces.services.name,
  );
  const egress = (policy?.spec as { egress: EgressRule[] } | undefined)?.egress ?? [];
  return (namespace: string) =>
    egress
      .filter((rule) =>
        rule.to?.some(
          (peer) =>
            peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === namespace,
        ),
      )
      .flatMap((rule) => rule.ports?.map((port) => port.port) ?? []);
}

for (const name of environmentNames) {
  const environment = loadEnvironment(name);
  const objects = rendered(environment);
  const tracing = environment.tracing;

  test(`${name}: every service exports its traces to the Tempo distributor, and may reach it`, () => {
    assert.ok(tracing, `${name} names a Tempo distributor`);
    const services = enabledServices(environment);
    assert.ok(services.length > 0);
    for (const service of services) {
      const variables = containerEnvironment(
        objects,
        environment.namespaces.services.name,
        service,
      );
      assert.is(literal(variables, "OTEL_EXPORTER_OTLP_ENDPOINT"), tracing.otlpEndpoint, service);
      assert.is(literal(variables, "OTEL_SERVICE_NAME"), service);
      assert.is(
        literal(variables, "OTEL_RESOURCE_ATTRIBUTES"),
        `deployment.environment.name=${name}`,
      );
      const port = Number(new URL(tracing.otlpEndpoint).port);
      assert.ok(
        egressPorts(objects, environment, service)(tracing.namespace).includes(port),
        `${service} may send to ${tracing.namespace}:${port}`,
      );
    }
  });

  test(`${name}: the operator exports its traces as breakwater-operator`, () => {
    assert.ok(tracing);
    const variables = containerEnvironment(
      objects,
      environment.namespaces.system.name,
      operatorName,
    );
    assert.is(literal(variables, "OTEL_EXPORTER_OTLP_ENDPOINT"), tracing.otlpEndpoint);
    assert.is(literal(variables, "OTEL_SERVICE_NAME"), operatorName);
  });
}

test("an environment without tracing renders no OpenTelemetry variable and no egress for it", () => {
  const environment: Environment = { ...loadEnvironment("dev"), tracing: undefined };
  const objects = rendered(environment);
  for (const service of enabledServices(environment)) {
    const variables = containerEnvironment(objects, environment.namespaces.services.name, service);
    assert.ok(variables.has("DATABASE_URL"), `${service}'s environment is read back`);
    assert.not.ok(
      [...variables.keys()].some((variable) => variable.startsWith("OTEL_")),
      `${service} has no OTEL_ variable`,
    );
    assert.equal(egressPorts(objects, environment, service)("monitoring"), [], service);
  }
});

test.run();
