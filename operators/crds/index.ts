/**
 * @module The control kinds (`ops.breakwater.dev/v1alpha1`), each defined once in its own
 * file, and their CRD manifests: what `npm run crds` writes to `generated/` and what the
 * charts render for Argo CD.
 */
import type { z } from "zod";
import { cancelAll } from "./cancel-all";
import { edgeDegradation } from "./edge-degradation";
import { escrowResolution } from "./escrow-resolution";
import { customResourceDefinition } from "./kind";
import { lockFlush } from "./lock-flush";
import { orderThrottle } from "./order-throttle";
import { payoutThrottle } from "./payout-throttle";
import { providerDisable } from "./provider-disable";
import { readOnlyMode } from "./read-only-mode";
import { redisFailover } from "./redis-failover";
import { sessionRevocation } from "./session-revocation";
import { settlementReplay } from "./settlement-replay";
import { symbolMode } from "./symbol-mode";
import { webhookReplay } from "./webhook-replay";
import { withdrawalHalt } from "./withdrawal-halt";

export { controlGroup, controlVersion } from "./common";
export type { ControlKindDefinition } from "./kind";
export { symbolModes } from "./symbol-mode";
export {
  cancelAll,
  edgeDegradation,
  escrowResolution,
  lockFlush,
  orderThrottle,
  payoutThrottle,
  providerDisable,
  readOnlyMode,
  redisFailover,
  sessionRevocation,
  settlementReplay,
  symbolMode,
  webhookReplay,
  withdrawalHalt,
};

/** Every control kind, in the order they are generated. */
export const controlKinds = [
  withdrawalHalt,
  symbolMode,
  providerDisable,
  lockFlush,
  payoutThrottle,
  readOnlyMode,
  edgeDegradation,
  escrowResolution,
  orderThrottle,
  cancelAll,
  sessionRevocation,
  settlementReplay,
  webhookReplay,
  redisFailover,
] as const;

type Definition = (typeof controlKinds)[number];

/** The name of a control kind, e.g. "WithdrawalHalt". */
export type ControlKindName = Definition["kind"];

/** The definition of one kind. */
export type ControlKindOf<K extends ControlKindName> = Extract<Definition, { kind: K }>;

/** The `spec` of a control of kind `K` without the common fields: what a service is sent. */
export type ControlSpec<K extends ControlKindName> = z.infer<ControlKindOf<K>["spec"]>;

/** The definition of `kind`, or undefined for a name that is no control kind. */
export function controlKindDefinition(kind: string): Definition | undefined {
  return controlKinds.find((definition) => definition.kind === kind);
}

/** The CustomResourceDefinition manifests of every control kind. */
export function crdManifests(): Record<string, unknown>[] {
  return controlKinds.map((definition) => customResourceDefinition(definition));
}
