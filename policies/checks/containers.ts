/**
 * @module Finds the containers of any workload, wherever its pod template sits (Pod,
 * Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob), with a path for messages.
 */
import type { ManifestObject } from "./types";

export interface FoundContainer {
  /** e.g. `spec.template.spec.containers[0]` */
  readonly where: string;
  readonly container: Record<string, unknown>;
}

type PodSpec = { containers?: unknown; initContainers?: unknown };

/** The value at a path of object keys, or undefined where the path breaks. */
export function dig(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function asPodSpec(value: unknown): PodSpec | undefined {
  return value !== null && typeof value === "object" && "containers" in value
    ? (value as PodSpec)
    : undefined;
}

function podSpecOf(object: ManifestObject): { path: string; spec: PodSpec } | undefined {
  const at = (path: string) => {
    const spec = asPodSpec(dig(object, ...path.split(".")));
    return spec ? { path, spec } : undefined;
  };
  if (object.kind === "Pod") return at("spec");
  if (object.kind === "CronJob") return at("spec.jobTemplate.spec.template.spec");
  return at("spec.template.spec");
}

/** Every container and init container of a workload; none for other kinds. */
export function containersOf(object: ManifestObject): FoundContainer[] {
  const pod = podSpecOf(object);
  if (!pod) return [];
  const found: FoundContainer[] = [];
  for (const field of ["initContainers", "containers"] as const) {
    const list = pod.spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((container, index) => {
      found.push({ where: `${pod.path}.${field}[${index}]`, container });
    });
  }
  return found;
}
