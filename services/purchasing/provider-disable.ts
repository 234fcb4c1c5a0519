/**
 * @module ProviderDisable enforcement, from the replica's in-memory controls only: the
 * providers named by an active ProviderDisable get no new purchases. Fails closed: a replica
 * that cannot hold its controls throws 503 `controls/unavailable` instead of routing.
 */
import type { Controls } from "../kit/controls";
import type { Control } from "../kit/controls-store";

export const providerDisableKind = "ProviderDisable";

/** The names (lower case) of the providers an active ProviderDisable takes out of routing. */
export function disabledProviders(controls: Controls): Map<string, Control> {
  const disabled = new Map<string, Control>();
  for (const control of controls.active(providerDisableKind)) {
    const provider = (control.spec as { provider?: string }).provider;
    if (provider) disabled.set(provider.toLowerCase(), control);
  }
  return disabled;
}
