/**
 * @module Runs the platform program of one environment against Pulumi's mock engine and
 * records every resource it registers (type, name, inputs, parent, dependencies), so tests
 * assert on what `pulumi up` would be asked to create without a cluster or the Pulumi CLI.
 */
import * as pulumi from "@pulumi/pulumi";
import { environmentNames, loadEnvironment } from "../../environments";
import { definePlatform, type Platform } from "../program";
import {
  type objectStoreSecretConfigKeys,
  projectName,
  readPlatformSettings,
  requiredSecretConfigKeysFor,
} from "../settings";

/** One resource as the engine would receive it. */
export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Inputs as sent to the engine; secrets keep Pulumi's secret envelope (see `isSecretValue`). */
  readonly inputs: Record<string, unknown>;
  readonly custom: boolean;
  readonly parentUrn: string;
  /** URNs this resource waits for (its `dependsOn`, expanded). */
  readonly dependencyUrns: readonly string[];
}

export interface StackRun {
  readonly platform: Platform;
  readonly resources: readonly RecordedResource[];
}

type ObjectStoreKey = (typeof objectStoreSecretConfigKeys)[number];

/** Every secret config key some environment requires. */
export const allSecretConfigKeys = [
  ...new Set(
    environmentNames.flatMap((name) => requiredSecretConfigKeysFor(loadEnvironment(name))),
  ),
].sort();

/**
 * The secret values the runs use, one distinct value per key (so a test can tell which key a
 * value came from); tests check these never appear in plain form.
 */
export const testSecrets: Readonly<Record<ObjectStoreKey, string> & Record<string, string>> = {
  ...Object.fromEntries(allSecretConfigKeys.map((key) => [key, `${key}-test-value-never-plain`])),
  objectStoreAccessKeyId: "AKIAEXAMPLETESTKEY01",
  objectStoreSecretAccessKey: "wJalrXUtnFEMI-test-secret-never-plain",
};

const secretSignatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

/** Whether an engine input is wrapped as a Pulumi secret (so state stores it encrypted). */
export function isSecretValue(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[secretSignatureKey] === secretSignature
  );
}

type Callback = (error: unknown, response: { getUrn(): string } | undefined) => void;
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
}
interface Monitor {
  registerResource(request: RegisterRequest, callback: Callback): Promise<void>;
}

/**
 * Runs the program as stack `environment` with `config` (keys without the project prefix)
 * and the test secrets set as secret config, and returns what it registered.
 */
export async function runPlatformStack(
  environment: string,
  config: Record<string, string> = {},
  secrets: Record<string, string> = {},
): Promise<StackRun> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...testSecrets, ...secrets, ...config })) {
    values[`${projectName}:${key}`] = value;
  }
  pulumi.runtime.setAllConfig(
    values,
    [...allSecretConfigKeys, "repoToken"].map((key) => `${projectName}:${key}`),
  );
  const inputs = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        inputs.set(`${args.type}::${args.name}`, args.inputs);
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    projectName,
    environment,
    false,
  );
  const resources = recordRegistrations(inputs);
  const platform = definePlatform(readPlatformSettings(environment));
  // Waits until every registration the program started has been answered.
  await pulumi.runtime.disconnect();
  return { platform, resources };
}

function recordRegistrations(inputs: Map<string, Record<string, unknown>>): RecordedResource[] {
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const register = monitor.registerResource.bind(monitor);
  const resources: RecordedResource[] = [];
  monitor.registerResource = (request, callback) =>
    register(request, (error, response) => {
      if (response) {
        resources.push({
          urn: response.getUrn(),
          type: request.getType(),
          name: request.getName(),
          inputs: inputs.get(`${request.getType()}::${request.getName()}`) ?? {},
          custom: request.getCustom(),
          parentUrn: request.getParent(),
          dependencyUrns: request.getDependenciesList(),
        });
      }
      callback(error, response);
    });
  return resources;
}

/** The resources of one type, e.g. `kubernetes:helm.sh/v4:Chart`. */
export function ofType(run: StackRun, type: string): RecordedResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

/** The one resource of `type` named `name`; throws naming both when absent. */
export function named(run: StackRun, type: string, name: string): RecordedResource {
  const found = run.resources.find((resource) => resource.type === type && resource.name === name);
  if (!found) throw new Error(`no ${type} named ${name} was registered`);
  return found;
}
