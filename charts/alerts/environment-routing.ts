/**
 * @module One environment's alert routing: the alerts its automation rules answer go to the
 * autopilot's Service when the environment runs the autopilot (`features.autopilot`).
 */
import type { Environment } from "../../environments";
import { webhookPath } from "../../operators/autopilot/webhook-server";
import { loadRules } from "../../policies/automation/load-rules";
import { serviceHost } from "../conventions";
import { type AlertRouting, autopilotTimings, defaultTimings } from "./alert-routing";

export const autopilotName = "breakwater-autopilot";
export const autopilotPort = 8080;

export function environmentRouting(environment: Environment): AlertRouting {
  const enabled = environment.features.autopilot.enabled;
  const host = serviceHost(autopilotName, environment.namespaces.system.name);
  return {
    autopilotAlerts: enabled ? [...new Set(loadRules().map((rule) => rule.alert))].sort() : [],
    autopilotUrl: enabled ? `http://${host}:${autopilotPort}${webhookPath}` : undefined,
    timings: defaultTimings,
    autopilotTimings,
  };
}
