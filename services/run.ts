/**
 * @module `npm run service -- <name>`: start one service from environment variables alone.
 * A bad setting or an unknown name prints one line and exits 1 with nothing started; SIGTERM
 * and SIGINT shut down gracefully. With `OTEL_EXPORTER_OTLP_ENDPOINT` set, tracing starts
 * first: the service's modules are imported only after it, so they load instrumented.
 */
import { startTracing } from "./kit/tracing";

const name = process.argv[2];

async function start(): Promise<void> {
  await startTracing(name ?? "service");
  const { runService } = await import("./kit/run-service");
  const { loadServiceDefinition } = await import("./kit/service-registry");
  await runService(await loadServiceDefinition(name), process.env);
}

start().catch(async (error: unknown) => {
  const { exitWithStartError } = await import("./kit/run-service");
  exitWithStartError(error);
});
