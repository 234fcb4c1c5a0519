/**
 * @module Loads and validates an environment's configuration; a wrong value stops the caller
 * with the environment and the field path named, e.g.
 * `prod: postgres.payments.instances: expected a number ≥ 1`.
 */
import type { z } from "zod";
import { dev } from "./dev";
import { prod } from "./prod";
import {
  type Environment,
  type EnvironmentName,
  environmentNames,
  environmentSchema,
} from "./schema";
import { staging } from "./staging";

export type {
  AlertThresholds,
  DatabaseName,
  Environment,
  EnvironmentInput,
  EnvironmentName,
  Image,
  ObjectStore,
  Postgres,
  Redis,
  Redpanda,
  Resources,
  Service,
  ServiceName,
  Topic,
  Tracing,
} from "./schema";
export { databaseNames, environmentNames, serviceDatabases, serviceNames } from "./schema";

const sources: Record<EnvironmentName, unknown> = { dev, staging, prod };

/** One problem per line, each naming the environment and the field. */
export class EnvironmentError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "EnvironmentError";
    this.problems = problems;
  }
}

/** `postgres.payments.instances`, with array items as `redpanda.topics[2].partitions`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let formatted = "";
  for (const key of path) {
    if (typeof key === "number") formatted += `[${key}]`;
    else formatted += formatted === "" ? String(key) : `.${String(key)}`;
  }
  return formatted === "" ? "(root)" : formatted;
}

// zod words a missing field as a type mismatch; say what a person would.
function plain(message: string): string {
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(message);
  return missing ? `missing (expected ${missing[1]})` : message;
}

function describe(name: string, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${name}: ${formatPath(issue.path)}: ${plain(issue.message)}`);
}

/**
 * Validates raw configuration for the environment `name`.
 * @throws EnvironmentError listing every wrong field.
 */
export function parseEnvironment(name: string, source: unknown): Environment {
  const result = environmentSchema.safeParse(source);
  if (!result.success) throw new EnvironmentError(describe(name, result.error.issues));
  if (result.data.name !== name) {
    throw new EnvironmentError([`${name}: name: expected "${name}", found "${result.data.name}"`]);
  }
  return result.data;
}

function isEnvironmentName(name: string): name is EnvironmentName {
  return (environmentNames as readonly string[]).includes(name);
}

/**
 * The validated configuration of one environment.
 * @example loadEnvironment("prod").postgres.payments.backup.retention // "30d"
 */
export function loadEnvironment(name: string): Environment {
  if (!isEnvironmentName(name)) {
    throw new EnvironmentError([`${name}: expected one of ${environmentNames.join(", ")}`]);
  }
  return parseEnvironment(name, sources[name]);
}

/** Every environment, validated together so one run reports every problem. */
export function loadAllEnvironments(): Environment[] {
  const problems: string[] = [];
  const environments: Environment[] = [];
  for (const name of environmentNames) {
    try {
      environments.push(loadEnvironment(name));
    } catch (error) {
      if (!(error instanceof EnvironmentError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new EnvironmentError(problems);
  return environments;
}
