/**
 * @module Test helpers for the manifest checks: the real rendered prod manifests (which must
 * pass) and a way to break one object in them.
 */

import { renderEnvironment } from "../../charts/render";
import { loadEnvironment } from "../../environments";
import type { CheckedManifest, ManifestObject } from "./types";

/** prod, rendered from the committed environment. */
export function prodManifests(): CheckedManifest[] {
  return renderEnvironment(loadEnvironment("prod")).map(({ path, object }) => ({ path, object }));
}

/** The manifests with the first object of `kind` replaced by `change(copy)`. */
export function withChanged(
  manifests: readonly CheckedManifest[],
  kind: string,
  change: (object: any) => void,
): CheckedManifest[] {
  const index = manifests.findIndex((manifest) => manifest.object.kind === kind);
  if (index === -1) throw new Error(`no ${kind} among the manifests`);
  const copy = structuredClone(manifests[index]!.object) as ManifestObject;
  change(copy);
  return manifests.map((manifest, at) => (at === index ? { ...manifest, object: copy } : manifest));
}
