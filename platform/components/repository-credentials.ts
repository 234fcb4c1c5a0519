/**
 * @module Read access for Argo CD to a private git repository: a Secret labelled as an Argo CD
 * repository, its token taken only from a Pulumi secret. Public repositories need none.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "./child-options";

export class RepositoryCredentials extends pulumi.ComponentResource {
  readonly secret: k8s.core.v1.Secret;

  constructor(
    name: string,
    args: RepositoryCredentialsArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("breakwater:platform:RepositoryCredentials", name, {}, opts);
    this.secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: {
          name,
          namespace: args.namespace,
          // Argo CD finds repository credentials by this label, not by name.
          labels: { "argocd.argoproj.io/secret-type": "repository" },
        },
        type: "Opaque",
        stringData: {
          type: "git",
          url: args.repoUrl,
          username: args.username,
          password: pulumi.secret(args.token),
        },
      },
      childOptions(this, opts),
    );
    this.registerOutputs({ secretName: this.secret.metadata.name });
  }
}

export interface RepositoryCredentialsArgs {
  /** Argo CD's namespace. */
  readonly namespace: pulumi.Input<string>;
  /** The repository the token is for (HTTPS URL). */
  readonly repoUrl: pulumi.Input<string>;
  /** The user the token authenticates as; any non-empty name for most forges' tokens. */
  readonly username: pulumi.Input<string>;
  /** From `config.getSecret("repoToken")`, never a literal. */
  readonly token: pulumi.Input<string>;
}
