/**
 * @module `npm run operator`: the control operator against `$KUBECONFIG`, configured by
 * environment variables (operators/config.ts). A bad setting prints one line naming the
 * variable and exits 1; SIGTERM/SIGINT stop it gracefully (in-flight reconciles finish,
 * the leader Lease is released so a standby takes over at once). With
 * `OTEL_EXPORTER_OTLP_ENDPOINT` set, tracing starts first (services/kit/tracing.ts) and the
 * operator's modules are imported after it, so they load instrumented.
 */

import { redactText } from "../services/kit/secret-redaction";
import { startTracing } from "../services/kit/tracing";
import type { OperatorConfig } from "./config";

try {
  await startTracing("breakwater-operator");
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const { ConfigError, loadConfig } = await import("./config");
const { startOperator } = await import("./operator");
const { exitWhenDone } = await import("./runtime/program");
const { loadTargets } = await import("./targets");

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
