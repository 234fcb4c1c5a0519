/**
 * @module Whether a program traces: OpenTelemetry starts only when `OTEL_EXPORTER_OTLP_ENDPOINT`
 * is set, before the program loads the modules it instruments (HTTP, pg, ioredis, kafkajs), so
 * a program without it (tests, `npm start`) loads none of the SDK. `services/run.ts` and
 * `operators/main.ts` call {@link startTracing} first and import everything else after it;
 * {@link stopTracing} flushes the spans still buffered before the process exits.
 */
import { parseSettings, tracingConfigSchema } from "./config";

type Env = Readonly<Record<string, string | undefined>>;

let running: { shutdown(): Promise<void> } | undefined;

/**
 * Start tracing for the program `serviceName` (the resource's `service.name` unless
 * `OTEL_SERVICE_NAME` names another) when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; resolves
 * whether it started. A malformed setting (`tracingConfigSchema`) is a `ConfigError` naming
 * the variable.
 *
 * @example if (await startTracing("payments")) ...; const { runService } = await import("./kit/run-service");
 */
export async function startTracing(serviceName: string, env: Env = process.env): Promise<boolean> {
  const settings = parseSettings(tracingConfigSchema, env);
  if (settings.OTEL_EXPORTER_OTLP_ENDPOINT === undefined || running !== undefined) return false;
  const { startTracingSdk } = await import("./tracing-sdk");
  running = await startTracingSdk(settings.OTEL_SERVICE_NAME ?? serviceName);
  return true;
}

/** Export the spans still buffered and stop tracing; nothing when it never started. */
export async function stopTracing(): Promise<void> {
  const sdk = running;
  running = undefined;
  // An unreachable receiver must not hold up the exit: spans are lost, nothing else.
  await sdk?.shutdown().catch(() => undefined);
}
