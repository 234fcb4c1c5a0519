/**
 * @module `npm run service -- <name>`: start one service from environment variables alone.
 * A bad setting or an unknown name prints one line and exits 1 with nothing started; SIGTERM
 * and SIGINT shut down gracefully.
 */
import { ConfigError } from "./kit/config";
import { startService } from "./kit/service";
import { loadServiceDefinition, UnknownServiceError } from "./kit/service-registry";

async function main(): Promise<void> {
  const definition = await loadServiceDefinition(process.argv[2]);
  const running = await startService(definition, process.env);
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    running.context.logger.info({ signal }, "shutdown requested");
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof UnknownServiceError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`service failed to start: ${oneLine(error)}\n`);
  }
  process.exit(1);
});

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
}
