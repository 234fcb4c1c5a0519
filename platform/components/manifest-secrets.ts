/**
 * @module The Secrets the rendered manifests reference by name (database owners and URLs,
 * admin tokens, Redis, Redpanda users, Kafka passwords, webhook and cron secrets), built only
 * from Pulumi secrets: git holds their names, the stack's state holds their values encrypted.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlannedSecret, SecretValueRecipe } from "../secret-plan";
import { childOptions } from "./child-options";

export class ManifestSecrets extends pulumi.ComponentResource {
  /** Each Secret by `<namespace>/<name>`. */
  readonly secrets: Readonly<Record<string, k8s.core.v1.Secret>>;

  constructor(name: string, args: ManifestSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:ManifestSecrets", name, {}, opts);
    const secrets: Record<string, k8s.core.v1.Secret> = {};
    for (const planned of args.secrets) {
      secrets[`${planned.namespace}/${planned.name}`] = new k8s.core.v1.Secret(
        `${planned.namespace}-${planned.name}`,
        {
          metadata: {
            name: planned.name,
            namespace: planned.namespace,
            labels: {
              "app.kubernetes.io/part-of": "breakwater",
              "app.kubernetes.io/managed-by": "pulumi",
            },
            // Says what the Secret is for; never anything of its value.
            annotations: { "breakwater.dev/purpose": planned.purpose },
          },
          type: planned.type,
          stringData: Object.fromEntries(
            Object.entries(planned.values).map(([key, recipe]) => [
              key,
              buildValue(planned, key, recipe, args.values),
            ]),
          ),
        },
        childOptions(this, opts),
      );
    }
    this.secrets = secrets;
    this.registerOutputs({ names: Object.keys(secrets) });
  }
}

/** One value, built from its config keys' values and wrapped again as a secret. */
function buildValue(
  planned: PlannedSecret,
  dataKey: string,
  recipe: SecretValueRecipe,
  values: Readonly<Record<string, pulumi.Input<string>>>,
): pulumi.Output<string> {
  const inputs = recipe.configKeys.map((key) => {
    const value = values[key];
    if (value === undefined) {
      throw new Error(`${planned.namespace}/${planned.name}: ${dataKey}: no value for ${key}`);
    }
    return value;
  });
  // Wrapped even when built from no key (a database owner's name), so every value is secret.
  return pulumi.secret(pulumi.all(inputs).apply((resolved) => recipe.build(resolved)));
}

export interface ManifestSecretsArgs {
  /** From `planManifestSecrets(environment)`. */
  readonly secrets: readonly PlannedSecret[];
  /** The credentials by config key, from `config.requireSecret`, never literals. */
  readonly values: Readonly<Record<string, pulumi.Input<string>>>;
}
