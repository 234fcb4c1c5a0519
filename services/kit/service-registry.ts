/**
 * @module Finding a service definition by name: every folder under `services/` (except the
 * kit) whose `index.ts` exports a definition, as `default` or as `service`.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { ServiceDefinition } from "./service";

const servicesDir = join(import.meta.dirname, "..");

/** Names of the services in this repository, sorted. */
export function knownServices(): string[] {
  return readdirSync(servicesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== "kit")
    .filter((entry) => existsSync(join(servicesDir, entry.name, "index.ts")))
    .map((entry) => entry.name)
    .sort();
}

/** Thrown for a name that is not a service; the message is the one line to print. */
export class UnknownServiceError extends Error {}

/** Load the definition of `name`, or throw {@link UnknownServiceError}. */
export async function loadServiceDefinition(name: string | undefined): Promise<ServiceDefinition> {
  const known = knownServices();
  if (name === undefined || !known.includes(name)) {
    const given = name === undefined ? "no service given" : `unknown service "${name}"`;
    throw new UnknownServiceError(`${given}; known services: ${known.join(", ") || "(none)"}`);
  }
  const module = (await import(join(servicesDir, name, "index.ts"))) as {
    default?: ServiceDefinition;
    service?: ServiceDefinition;
  };
  const definition = module.default ?? module.service;
  if (!definition)
    throw new UnknownServiceError(`services/${name}/index.ts exports no service definition`);
  return definition;
}
