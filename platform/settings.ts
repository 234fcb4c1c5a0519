/**
 * @module What one stack of the platform program needs: the environment named like the stack
 * (`dev`, `staging`, `prod`), the git repository Argo CD follows, and the object-store keys,
 * which are read only as Pulumi secrets so they never appear in git or in plain state.
 */
import * as pulumi from "@pulumi/pulumi";
import { type Environment, loadEnvironment } from "../environments";

/** The Pulumi project name; config keys are `breakwater-platform:<key>`. */
export const projectName = "breakwater-platform";

/** Secret config every stack must have (declared `secret: true` in Pulumi.yaml). */
export const requiredSecretConfigKeys = [
  "objectStoreAccessKeyId",
  "objectStoreSecretAccessKey",
] as const;

/**
 * Config keys that must be set with `pulumi config set --secret`: the stack files hold them
 * only as `secure:` ciphertext, never as plain values. `repoToken` is for a private repository.
 */
export const secretConfigKeys = [...requiredSecretConfigKeys, "repoToken"] as const;

export interface PlatformSettings {
  readonly environment: Environment;
  /** Git repository Argo CD pulls `rendered/<env>/` from. */
  readonly repoUrl: string;
  /** Branch, tag or commit Argo CD follows. */
  readonly revision: string;
  readonly objectStoreAccessKeyId: pulumi.Output<string>;
  readonly objectStoreSecretAccessKey: pulumi.Output<string>;
  /** Read access to a private repository; absent for a public one. */
  readonly repository?: {
    readonly username: string;
    readonly token: pulumi.Output<string>;
  };
}

/**
 * Reads the settings of stack `stack`. The repository and revision default to the
 * environment's `gitops` section; a stack may point at a fork with `repoUrl` / `revision`.
 * @throws when the stack is not an environment, or a secret is missing (the message names
 *   the config key to set).
 */
export function readPlatformSettings(
  stack: string,
  config: pulumi.Config = new pulumi.Config(projectName),
): PlatformSettings {
  const environment = loadEnvironment(stack);
  // Presence only: reading a secret with `get` would put it in plain values and logs.
  const hasRepoToken = pulumi.runtime.getConfig(`${config.name}:repoToken`) !== undefined;
  return {
    environment,
    repoUrl: config.get("repoUrl") ?? environment.gitops.repoURL,
    revision: config.get("revision") ?? environment.gitops.revision,
    objectStoreAccessKeyId: config.requireSecret("objectStoreAccessKeyId"),
    objectStoreSecretAccessKey: config.requireSecret("objectStoreSecretAccessKey"),
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
