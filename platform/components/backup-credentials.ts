/**
 * @module The object-store keys that PostgreSQL backups (WAL archive and base backups) are
 * written with, as a Kubernetes Secret built only from Pulumi secrets: the values live
 * encrypted in the stack's state, and git only ever names the Secret.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "./child-options";

export class BackupCredentials extends pulumi.ComponentResource {
  readonly secret: k8s.core.v1.Secret;

  constructor(name: string, args: BackupCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("breakwater:platform:BackupCredentials", name, {}, opts);
    this.secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: {
          name: args.secretName,
          namespace: args.namespace,
          labels: { "app.kubernetes.io/part-of": "breakwater", "breakwater.dev/purpose": "backup" },
        },
        type: "Opaque",
        // Wrapped again so a plain value passed by mistake is still stored encrypted.
        stringData: {
          [args.accessKeyIdKey]: pulumi.secret(args.accessKeyId),
          [args.secretAccessKeyKey]: pulumi.secret(args.secretAccessKey),
        },
      },
      childOptions(this, opts),
    );
    this.registerOutputs({ secretName: this.secret.metadata.name });
  }
}

export interface BackupCredentialsArgs {
  /** The data namespace, where the CloudNativePG clusters and their ObjectStores are. */
  readonly namespace: pulumi.Input<string>;
  /** The Secret's name, as the environment's `objectStore.credentials.secretName`. */
  readonly secretName: string;
  /** The data key of the access key id, e.g. `ACCESS_KEY_ID`. */
  readonly accessKeyIdKey: string;
  /** The data key of the secret access key, e.g. `ACCESS_SECRET_KEY`. */
  readonly secretAccessKeyKey: string;
  /** From `config.requireSecret`, never a literal. */
  readonly accessKeyId: pulumi.Input<string>;
  /** From `config.requireSecret`, never a literal. */
  readonly secretAccessKey: pulumi.Input<string>;
}
