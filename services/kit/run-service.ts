/**
 * @module The process around a service: start it from the environment, print one line and
 * exit 1 on a bad setting (nothing started), and shut down gracefully on SIGTERM/SIGINT
 * (a second signal exits at once). Used by `services/run.ts`.
 */
import { ConfigError } from "./config";
import { SchemaBehindError } from "./schema-version";
import { redactText } from "./secret-redaction";
import { type ServiceDefinition, startService } from "./service";
import { UnknownServiceError } from "./service-registry";
import { stopTracing } from "./tracing";

/** Print the one line for a start failure and exit 1. */
export function exitWithStartError(error: unknown): never {
  const known =
    error instanceof ConfigError ||
    error instanceof UnknownServiceError ||
    error instanceof SchemaBehindError;
  // A driver's error may quote a connection string: redact before printing.
  const message = redactText(error instanceof Error ? error.message : String(error))
    .replace(/\s+/g, " ")
    .trim();
  process.stderr.write(`${known ? "" : "service failed to start: "}${message}\n`);
  process.exit(1);
}

/**
 * Start `definition` for this process; resolves once it listens.
 *
 * @example await runService(await loadServiceDefinition(process.argv[2]), process.env).catch(exitWithStartError);
 */
export async function runService(
  definition: ServiceDefinition,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  const running = await startService(definition, env);
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    running.context.logger.info({ signal }, "shutdown requested");
    // The spans of the last requests are exported before the process goes.
    running.stop().then(
      () => stopTracing().then(() => process.exit(0)),
      () => stopTracing().then(() => process.exit(1)),
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}
