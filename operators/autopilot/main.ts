/**
 * @module `npm run autopilot`: the Alertmanager webhook receiver against `$KUBECONFIG`,
 * configured by environment variables (operators/autopilot/config.ts) and the rules in
 * `$AUTOPILOT_RULES_DIR`. A bad setting or a malformed rule prints one line and exits 1;
 * SIGTERM/SIGINT release the Lease so the other replica decides at once.
 */
import { RuleError } from "../../policies/automation/load-rules";
import { redactText } from "../../services/kit/secret-redaction";
import { ConfigError } from "../config";
import { exitWhenDone } from "../runtime/program";
import { startAutopilot } from "./autopilot";
import { loadAutopilotConfig } from "./config";

async function startOrExit() {
  try {
    return await startAutopilot(loadAutopilotConfig());
  } catch (error) {
    if (error instanceof ConfigError || error instanceof RuleError) {
      console.error(redactText(error.message));
      process.exit(1);
    }
    throw error;
  }
}

const autopilot = await startOrExit();
exitWhenDone(autopilot);
