/**
 * @module Options for a component's children. `dependsOn` on a component does not hold back
 * the creation of its children in the engine, so a component hands its own `dependsOn` down:
 * the Barman Cloud plugin's chart then really waits for cert-manager's.
 */
import type * as pulumi from "@pulumi/pulumi";

/** `{ parent, dependsOn }` for a child of `parent` created with the component's `opts`. */
export function childOptions(
  parent: pulumi.ComponentResource,
  opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResourceOptions & pulumi.CustomResourceOptions {
  return opts?.dependsOn === undefined ? { parent } : { parent, dependsOn: opts.dependsOn };
}
