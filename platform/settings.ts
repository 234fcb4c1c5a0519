/**
 * @module What one stack of the platform program needs: the environment named like the stack
 * (`dev`, `staging`, `prod`), the git repository Argo CD follows, the object-store keys and the
 * credentials of every Secret the manifests reference, which are read only as Pulumi secrets
 * so they never appear in git or in plain state.
 */
import * as pulumi from "@pulumi/pulumi";
import { type Environment, loadEnvironment } from "../environments";
import { type CdnRoutingPlan, cdnActiveProviderKey, planCdnRouting } from "./cdn-routing-plan";
import { type SecretConfigKey, secretConfigKeysFor } from "./secret-plan";

/** The Pulumi project name; config keys are `breakwater-platform:<key>`. */
export const projectName = "breakwater-platform";

/** The object-store keys for backups, which every stack must have. */
export const objectStoreSecretConfigKeys = [
  "objectStoreAccessKeyId",
  "objectStoreSecretAccessKey",
] as const;

/**
 * Every secret config key the stack of `environment` must have: the object-store keys and the
 * credentials of the manifests' Secrets (see `secret-plan.ts`), sorted.
 */
export function requiredSecretConfigKeysFor(environment: Environment): string[] {
  const manifestKeys = secretConfigKeysFor(environment).map((spec) => spec.key);
  return [...objectStoreSecretConfigKeys, ...manifestKeys].sort();
}

/**
 * Config keys of `environment` that must be set with `pulumi config set --secret`: the stack
 * files hold them only as `secure:` ciphertext. `repoToken` is for a private repository.
 */
export function secretConfigKeysOf(environment: Environment): string[] {
  return [...requiredSecretConfigKeysFor(environment), "repoToken"];
}

export interface PlatformSettings {
  readonly environment: Environment;
  /** Git repository Argo CD pulls `rendered/<env>/` from. */
  readonly repoUrl: string;
  /** Branch, tag or commit Argo CD follows. */
  readonly revision: string;
  readonly objectStoreAccessKeyId: pulumi.Output<string>;
  readonly objectStoreSecretAccessKey: pulumi.Output<string>;
  /** The credentials of the manifests' Secrets, by config key (`secretConfigKeysFor`). */
  readonly manifestSecretValues: Readonly<Record<string, pulumi.Output<string>>>;
  /** Where the public hostnames point; absent when the environment has no CDN. */
  readonly cdn?: CdnRoutingPlan;
  /** Read access to a private repository; absent for a public one. */
  readonly repository?: {
    readonly username: string;
    readonly token: pulumi.Output<string>;
  };
}

/**
 * Reads the settings of stack `stack`. The repository and revision default to the
 * environment's `gitops` section; a stack may point at a fork with `repoUrl` / `revision`.
 * @throws when the stack is not an environment, `cdnActiveProvider` is not one of the
 *   environment's CDN providers, or a secret is missing, too short or holds a character its
 *   Secret cannot carry (the message names the config key, never the value).
 */
export function readPlatformSettings(
  stack: string,
  config: pulumi.Config = new pulumi.Config(projectName),
): PlatformSettings {
  const environment = loadEnvironment(stack);
  // Presence only: reading a secret with `get` would put it in plain values and logs.
  const hasRepoToken = pulumi.runtime.getConfig(`${config.name}:repoToken`) !== undefined;
  const cdn = planCdnRouting(
    environment,
    config.get(cdnActiveProviderKey),
    `${config.name}:${cdnActiveProviderKey}`,
  );
  return {
    environment,
    repoUrl: config.get("repoUrl") ?? environment.gitops.repoURL,
    revision: config.get("revision") ?? environment.gitops.revision,
    objectStoreAccessKeyId: config.requireSecret("objectStoreAccessKeyId"),
    objectStoreSecretAccessKey: config.requireSecret("objectStoreSecretAccessKey"),
    manifestSecretValues: readManifestSecretValues(environment, config),
    ...(cdn ? { cdn } : {}),
    ...(hasRepoToken
      ? {
          repository: {
            username: config.get("repoUsername") ?? "git",
            token: config.requireSecret("repoToken"),
          },
        }
      : {}),
  };
}

/** Reads every credential before anything is created, so a missing one stops the whole stack. */
function readManifestSecretValues(
  environment: Environment,
  config: pulumi.Config,
): Record<string, pulumi.Output<string>> {
  const values: Record<string, pulumi.Output<string>> = {};
  for (const spec of secretConfigKeysFor(environment)) {
    checkSecretValue(config.name, spec);
    values[spec.key] = config.requireSecret(spec.key);
  }
  return values;
}

/**
 * Checks a credential's length and characters without ever echoing it: Pulumi's own
 * `minLength`/`pattern` options would print the secret value in their error message.
 * @throws Error naming the key and what was expected; a missing key is left to `requireSecret`.
 */
function checkSecretValue(projectKey: string, spec: SecretConfigKey): void {
  const fullKey = `${projectKey}:${spec.key}`;
  const value = pulumi.runtime.getConfig(fullKey);
  if (value === undefined) return;
  if (value.length < spec.minLength) {
    throw new Error(`${fullKey}: expected at least ${spec.minLength} characters`);
  }
  if (spec.format && !spec.format.pattern.test(value)) {
    throw new Error(`${fullKey}: expected ${spec.format.expected}`);
  }
}
