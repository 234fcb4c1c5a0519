/**
 * @module An environment's default automation mode, from `features.autopilot`: a rule that
 * names no mode for the environment runs in it.
 */
import type { Environment } from "../../environments/schema";
import type { AutomationMode } from "./rule-schema";

/** dryRun where the environment says so, else auto; undefined when the autopilot is off. */
export function defaultAutomationMode(environment: Environment): AutomationMode | undefined {
  const { enabled, dryRun } = environment.features.autopilot;
  if (!enabled) return undefined;
  return dryRun ? "dryRun" : "auto";
}
