/**
 * @module The control resource definitions (`ops.breakwater.dev/v1alpha1`) as manifests:
 * what `npm run crds` writes to `generated/` and what the charts render for Argo CD.
 */
import { type ControlKindDefinition, customResourceDefinition } from "./common";
import { lockFlush } from "./lock-flush";
import { providerDisable } from "./provider-disable";
import { symbolMode } from "./symbol-mode";
import { withdrawalHalt } from "./withdrawal-halt";

export { controlGroup, controlVersion } from "./common";

/** Every control kind, in the order they are generated. */
export const controlKinds: readonly ControlKindDefinition[] = [
  withdrawalHalt,
  symbolMode,
  providerDisable,
  lockFlush,
];

/** The CustomResourceDefinition manifests of every control kind. */
export function crdManifests(): Record<string, unknown>[] {
  return controlKinds.map((definition) => customResourceDefinition(definition));
}
