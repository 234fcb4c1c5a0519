/**
 * @module The parts every breakwater container shares, wherever it runs (a service's
 * Deployment, a release's hook Jobs): secrets by reference only, the image's non-root user,
 * a read-only root filesystem, and requests and limits from the environment.
 */
import * as plus from "cdk8s-plus-27";
import type { Construct } from "constructs";
import type { Resources } from "../../environments";
import { imageUser } from "../container-image";
import { cpu, size } from "../quantities";

export interface SecretKeyReference {
  readonly name: string;
  readonly key: string;
  /** The key may be absent (a rotation's `next`, present only while it rotates). @default false */
  readonly optional?: boolean;
}

/** Environment variables read from Secrets: variable → Secret key, never values. */
export function secretEnvVariables(
  scope: Construct,
  secrets: Readonly<Record<string, SecretKeyReference>>,
): Record<string, plus.EnvValue> {
  const variables: Record<string, plus.EnvValue> = {};
  for (const [variable, reference] of Object.entries(secrets)) {
    const secret = plus.Secret.fromSecretName(scope, `secret-${variable}`, reference.name);
    variables[variable] = plus.EnvValue.fromSecretValue(
      { secret, key: reference.key },
      reference.optional ? { optional: true } : {},
    );
  }
  return variables;
}

/** Requests and limits as cdk8s-plus wants them. */
export function containerResources(resources: Resources): plus.ContainerResources {
  return {
    cpu: { request: cpu(resources.requests.cpu), limit: cpu(resources.limits.cpu) },
    memory: { request: size(resources.requests.memory), limit: size(resources.limits.memory) },
  };
}

/** The image's numeric user, no privilege, nothing writable but mounted volumes. */
export const containerSecurityContext: plus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  user: imageUser,
  group: imageUser,
};

/** The pod runs as the image's user and group. */
export const podSecurityContext: plus.PodSecurityContextProps = {
  ensureNonRoot: true,
  user: imageUser,
  group: imageUser,
  fsGroup: imageUser,
};
