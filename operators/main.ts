/**
 * @module `npm run operator`: the control operator against `$KUBECONFIG`, configured by
 * environment variables (operators/config.ts). A bad setting prints one line naming the
 * variable and exits 1; SIGTERM/SIGINT stop it gracefully (in-flight reconciles finish,
 * the leader Lease is released so a standby takes over at once).
 */

import { redactText } from "../services/kit/secret-redaction";
import { ConfigError, loadConfig, type OperatorConfig } from "./config";
import { startOperator } from "./operator";
import { exitWhenDone } from "./runtime/program";
import { loadTargets } from "./targets";

function configOrExit(): OperatorConfig {
  try {
    const config = loadConfig();
    loadTargets(config.targetsFile);
    return config;
  } catch (error) {
    const message =
      error instanceof ConfigError
        ? error.message
        : `OPERATOR_TARGETS_FILE: ${(error as Error).message}`;
    console.error(redactText(message));
    process.exit(1);
  }
}

const operator = await startOperator(configOrExit());
exitWhenDone(operator);
