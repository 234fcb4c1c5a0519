/**
 * @module Argo CD health checks for breakwater's control kinds: one Lua script, registered in
 * `argocd-cm` under `resource.customizations.health.ops.breakwater.dev_<Kind>` for each kind.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { controlKinds as controlDefinitions, controlGroup } from "../../operators/crds";

export { controlGroup };

/** Every control kind the operator defines, so a new kind gets its health check with it. */
export const controlKinds: readonly string[] = controlDefinitions.map(
  (definition) => definition.kind,
);

/** Where the script lives, for tests that run it with a real Lua interpreter. */
export const controlHealthScriptPath = join(import.meta.dirname, "control-health.lua");

/** The Lua source Argo CD evaluates for every control kind. */
export const controlHealthScript = readFileSync(controlHealthScriptPath, "utf8");

/** The `argocd-cm` key of one kind's health check. */
export function healthCheckKey(kind: string): string {
  return `resource.customizations.health.${controlGroup}_${kind}`;
}

/**
 * The `argocd-cm` entries for every control kind (pass as the chart's `configs.cm`).
 * @example controlHealthChecks()["resource.customizations.health.ops.breakwater.dev_LockFlush"]
 */
export function controlHealthChecks(): Record<string, string> {
  return Object.fromEntries(
    controlKinds.map((kind) => [healthCheckKey(kind), controlHealthScript]),
  );
}
