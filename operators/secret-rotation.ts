/**
 * @module Rotating a Secret without downtime, in two steps with two values valid between them.
 *
 * `start`: a new random value goes into the Secret's `next` key; the services map it to their
 * `*_NEXT` variable (ADMIN_TOKEN_NEXT, WEBHOOK_SECRET_NEXT) and, after the rolling restart this
 * triggers, accept the current and the next value. Callers still send the current one.
 * `finish`: `next` becomes the value and `next` is removed; callers (the operator re-reads the
 * Secret, a PSP is given the new webhook secret) move to it, and the services' second rolling
 * restart drops the old value. Replicas not yet restarted accept both, so nothing is refused.
 * A restart is a patch of each Deployment that reads the Secret (the pod template's
 * `breakwater.dev/secret-rotation` annotation, as `kubectl rollout restart` does).
 */
import { randomBytes } from "node:crypto";
import type { KubeApi } from "./runtime/kube-api";

/** The key holding the value a rotation will make current. */
export const nextKey = "next";

/** The pod template annotation whose change rolls a Deployment. */
export const rotationAnnotation = "breakwater.dev/secret-rotation";

interface SecretObject {
  readonly data?: Record<string, string>;
}

interface DeploymentList {
  readonly items: {
    readonly metadata: { readonly name: string };
    readonly spec?: { readonly template?: { readonly spec?: unknown } };
  }[];
}

export interface RotationStep {
  /** The Secret's value key (the one key besides `next`). */
  readonly key: string;
  /** The Deployments rolled to pick the change up. */
  readonly restarted: readonly string[];
}

/** Refused: the Secret is not in the state the step needs. Its message is one line. */
export class RotationError extends Error {
  override name = "RotationError";
}

const secretPath = (namespace: string, name: string) =>
  `/api/v1/namespaces/${namespace}/secrets/${name}`;

/** The one value key of a Secret besides `next`. */
function valueKey(name: string, data: Record<string, string>): string {
  const keys = Object.keys(data).filter((key) => key !== nextKey);
  if (keys.length !== 1) {
    throw new RotationError(
      `Secret ${name} must hold exactly one value key besides "${nextKey}", it has: ${keys.join(", ") || "none"}`,
    );
  }
  return keys[0]!;
}

async function readSecret(api: KubeApi, namespace: string, name: string) {
  const secret = await api.get<SecretObject>(secretPath(namespace, name));
  const data = secret.data ?? {};
  return { data, key: valueKey(name, data) };
}

/** Start rotating `name`: a fresh value in `next`, both valid after the rolling restart. */
export async function startRotation(
  api: KubeApi,
  namespace: string,
  name: string,
): Promise<RotationStep> {
  const { data, key } = await readSecret(api, namespace, name);
  if (data[nextKey] !== undefined) {
    throw new RotationError(
      `Secret ${name} is already rotating (it has "${nextKey}"): run finish ${name} first`,
    );
  }
  const value = randomBytes(32).toString("base64url");
  await api.patch(secretPath(namespace, name), {
    data: { [nextKey]: Buffer.from(value).toString("base64") },
  });
  return { key, restarted: await restartReaders(api, namespace, name, "start") };
}

/** Finish rotating `name`: `next` becomes the value; the old one is gone after the restart. */
export async function finishRotation(
  api: KubeApi,
  namespace: string,
  name: string,
): Promise<RotationStep> {
  const { data, key } = await readSecret(api, namespace, name);
  const next = data[nextKey];
  if (next === undefined) {
    throw new RotationError(`Secret ${name} is not rotating (no "${nextKey}"): run rotate ${name}`);
  }
  // A merge patch with null removes the key.
  await api.patch(secretPath(namespace, name), { data: { [key]: next, [nextKey]: null } });
  return { key, restarted: await restartReaders(api, namespace, name, "finish") };
}

/** Roll every Deployment in `namespace` whose pods read Secret `name`. */
async function restartReaders(
  api: KubeApi,
  namespace: string,
  name: string,
  step: string,
): Promise<string[]> {
  const list = await api.list<DeploymentList>(`/apis/apps/v1/namespaces/${namespace}/deployments`);
  const readers = list.items.filter((item) => readsSecret(item.spec?.template?.spec, name));
  const stamp = `${name} ${step} ${new Date().toISOString()}`;
  for (const deployment of readers) {
    await api.patch(
      `/apis/apps/v1/namespaces/${namespace}/deployments/${deployment.metadata.name}`,
      {
        spec: { template: { metadata: { annotations: { [rotationAnnotation]: stamp } } } },
      },
    );
  }
  return readers.map((deployment) => deployment.metadata.name);
}

/** True when a pod spec names Secret `name` anywhere (env, envFrom or a volume). */
function readsSecret(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((item) => readsSecret(item, name));
  if (node === null || typeof node !== "object") return false;
  const object = node as Record<string, unknown>;
  const named = (value: unknown, field: string) =>
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[field] === name;
  if (named(object.secretKeyRef, "name") || named(object.secretRef, "name")) return true;
  if (named(object.secret, "secretName")) return true;
  return Object.values(object).some((value) => readsSecret(value, name));
}
