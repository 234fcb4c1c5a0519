/**
 * @module Tests that what a rendered service is given is exactly what it reads: every variable
 * its Deployment sets (ConfigMap keys, Secret keys, pod fields) is one the kit's or the
 * service's zod schema accepts, every variable they require is set, the whole environment
 * passes `loadConfig`, and its Kafka settings match the listener the Redpanda cluster serves.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdk8s";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { z } from "zod";
import { environmentNames, loadEnvironment } from "../environments";
import { breakwaterImage } from "../environments/images";
import { commonConfigSchema, loadConfig } from "../services/kit/config";
import { controlEventsTopic } from "../services/kit/outbox";
import { knownServices, loadServiceDefinition } from "../services/kit/service-registry";
import { paymentsEventsTopic } from "../services/payments/events";
import {
  containerEnvironment,
  type RenderedObject,
  type VariableSource,
} from "./container-environment";
import { imageEntrypoint, serviceProgram } from "./container-image";
import { renderEnvironment } from "./render";
import { ServicesChart } from "./services-chart";

type EnvironmentName = (typeof environmentNames)[number];

function renderedObjects(name: EnvironmentName): RenderedObject[] {
  return renderEnvironment(loadEnvironment(name)).map(({ object }) => object as RenderedObject);
}

/** The kit's settings merged with the service's own, as `loadConfig` merges them. */
async function serviceSchema(service: string): Promise<z.ZodObject> {
  const definition = await loadServiceDefinition(service);
  return commonConfigSchema.extend(definition.config?.shape ?? {});
}

/** Variables set but not read, and variables required but not set. */
function drift(variables: ReadonlySet<string>, schema: z.ZodObject) {
  const accepted = Object.keys(schema.shape);
  const required = accepted.filter((key) => !schema.shape[key]!.safeParse(undefined).success);
  return {
    unread: [...variables].filter((variable) => !accepted.includes(variable)).sort(),
    missing: required.filter((variable) => !variables.has(variable)).sort(),
  };
}

/** What the kubelet would put in the container, with Secrets shaped like Pulumi's values. */
function startEnvironment(variables: ReadonlyMap<string, VariableSource>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [variable, source] of variables) {
    if (source.from === "value" || source.from === "configMap") env[variable] = source.value;
    else if (source.from === "field")
      env[variable] = source.fieldPath === "status.podIP" ? "10.0.0.7" : "service-7d9f8c6b5-x2x4q";
    else if (variable === "DATABASE_URL")
      env[variable] = "postgresql://payments:pw@payments-db-rw.data-plane:5432/payments";
    else if (variable === "DB_READONLY_ENDPOINT")
      env[variable] = "postgresql://payments:pw@payments-db-ro.data-plane:5432/payments";
    else if (variable === "REDIS_URL") env[variable] = "redis://:pw@redis-master.data-plane:6379";
    else if (variable === "REDIS_SECONDARY") {
      env[variable] = "redis://:pw@redis-secondary.data-plane:6379";
    } else env[variable] = "s".repeat(32);
  }
  return env;
}

function renderedServices(objects: readonly RenderedObject[], namespace: string): string[] {
  return objects
    .filter((object) => object.kind === "Deployment" && object.metadata.namespace === namespace)
    .map((object) => object.metadata.name)
    .sort();
}

for (const name of environmentNames) {
  const objects = renderedObjects(name);
  const namespace = loadEnvironment(name).namespaces.services.name;
  const services = renderedServices(objects, namespace);

  test(`${name}: every enabled service is rendered`, () => {
    const environment = loadEnvironment(name);
    const enabled = Object.entries(environment.services)
      .filter(([, service]) => service.enabled)
      .map(([service]) => service)
      .sort();
    assert.equal(services, enabled);
    assert.ok(services.length > 0);
  });

  for (const service of services) {
    test(`${name}: ${service} is set exactly what its schemas read, required ones included`, async () => {
      const variables = containerEnvironment(objects, namespace, service);
      const result = drift(new Set(variables.keys()), await serviceSchema(service));
      assert.equal(result, { unread: [], missing: [] });
    });

    test(`${name}: ${service} starts from its rendered environment`, async () => {
      const definition = await loadServiceDefinition(service);
      const env = startEnvironment(containerEnvironment(objects, namespace, service));
      const config = loadConfig(env, definition.config);
      assert.is(config.PORT, 8080);
      assert.is(config.REPLICA_ID, "service-7d9f8c6b5-x2x4q");
      assert.is(config.KAFKA_SASL_MECHANISM, "scram-sha-512");
      assert.is(config.KAFKA_SASL_USERNAME, service);
      // Exchange replicas forward orders to the one sequencing the symbol, at its pod IP.
      if (service === "exchange") assert.is(config.POD_IP, "10.0.0.7");
    });
  }
}

interface Container {
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
}

/** Each service Deployment of the chart and its one container, synthesized with cdk8s. */
function serviceContainers(name: EnvironmentName): Map<string, Container> {
  const chart = new ServicesChart(Testing.app(), "services", loadEnvironment(name));
  const containers = new Map<string, Container>();
  for (const object of Testing.synth(chart)) {
    if (object.kind !== "Deployment") continue;
    const [container, ...others] = object.spec.template.spec.containers as Container[];
    assert.is(others.length, 0, `${object.metadata.name} runs one container`);
    containers.set(object.metadata.name, container!);
  }
  return containers;
}

const sharedImage = breakwaterImage("0.0.0").repository;
const repositoryRoot = join(import.meta.dirname, "..");

for (const name of environmentNames) {
  test(`${name}: each service container runs exactly its own service, a known one`, async () => {
    const containers = serviceContainers(name);
    assert.ok(containers.size > 0);
    assert.ok(existsSync(join(repositoryRoot, serviceProgram)), `${serviceProgram} exists`);
    for (const [deployment, container] of containers) {
      assert.equal(container.command, imageEntrypoint);
      assert.equal(container.args, [serviceProgram, deployment]);
      assert.ok(knownServices().includes(deployment), `services/${deployment} exists`);
      // What services/run.ts does with the argument: the definition it finds is this service.
      assert.is((await loadServiceDefinition(container.args?.[1])).name, deployment);
    }
  });

  test(`${name}: every service runs the shared image at a pinned release`, () => {
    for (const [deployment, container] of serviceContainers(name)) {
      const [repository, tag = ""] = container.image.split(":");
      assert.is(repository, sharedImage, deployment);
      assert.match(tag, /^\d+\.\d+\.\d+/, `${deployment} runs a release tag, not ${tag}`);
    }
  });
}

/**
 * The Redpanda chart's defaults (its values.yaml) where our `clusterSpec` says nothing: the
 * internal Kafka listener on 9093 behind the headless Service named after the cluster, and
 * `tls.enabled: true`.
 */
const redpandaChartDefaults = { kafkaPort: 9093, tlsEnabled: true };

interface ClusterSpec {
  readonly listeners?: { readonly kafka?: { readonly port?: number } };
  readonly tls?: { readonly enabled?: boolean };
  readonly auth: { readonly sasl: { readonly enabled: boolean } };
}

for (const name of environmentNames) {
  test(`${name}: services reach the Kafka listener Redpanda really serves, TLS as it serves it`, () => {
    const objects = renderedObjects(name);
    const cluster = objects.find((object) => object.kind === "Redpanda")!;
    const spec = (cluster.spec as { clusterSpec: ClusterSpec }).clusterSpec;
    const port = spec.listeners?.kafka?.port ?? redpandaChartDefaults.kafkaPort;
    const tls = spec.tls?.enabled ?? redpandaChartDefaults.tlsEnabled;
    const host = `${cluster.metadata.name}.${cluster.metadata.namespace}.svc.cluster.local`;
    const namespace = loadEnvironment(name).namespaces.services.name;
    for (const service of renderedServices(objects, namespace)) {
      const env = startEnvironment(containerEnvironment(objects, namespace, service));
      const config = loadConfig(env);
      assert.equal(config.KAFKA_BROKERS, [`${host}:${port}`]);
      assert.is(config.KAFKA_TLS, tls);
      assert.is(spec.auth.sasl.enabled, true, "plaintext Kafka is only acceptable with SASL");
    }
  });

  test(`${name}: every topic the service code publishes to is rendered`, () => {
    const topics = renderedObjects(name)
      .filter((object) => object.kind === "Topic")
      .map((object) => (object.spec as { overwriteTopicName: string }).overwriteTopicName);
    for (const topic of [controlEventsTopic, paymentsEventsTopic]) {
      assert.ok(topics.includes(topic), `${topic} is not rendered`);
    }
  });
}

test("a variable nothing reads, or a required one left out, is reported", async () => {
  const schema = await serviceSchema("payments");
  const objects = renderedObjects("prod");
  const variables = new Set(
    containerEnvironment(
      objects,
      loadEnvironment("prod").namespaces.services.name,
      "payments",
    ).keys(),
  );
  variables.add("KAFKA_EVENTS_TOPIC");
  variables.delete("PSP_URL");
  assert.equal(drift(variables, schema), { unread: ["KAFKA_EVENTS_TOPIC"], missing: ["PSP_URL"] });
});

test.run();
