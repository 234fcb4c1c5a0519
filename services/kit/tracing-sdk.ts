/**
 * @module The OpenTelemetry SDK of a traced program (loaded only by `tracing.ts`): spans of
 * incoming and outgoing HTTP (`node:http` and `fetch`), PostgreSQL (pg), Redis (ioredis) and
 * Kafka (kafkajs), exported
 * over OTLP/HTTP (protobuf) to `OTEL_EXPORTER_OTLP_ENDPOINT`, with W3C trace context and
 * baggage propagation. The project is ESM, so the instrumentations see `import`s only through
 * import-in-the-middle's loader hook, registered here before any instrumented module loads and
 * limited to the modules hooked (tsx keeps compiling everything else as before).
 *
 * Only traces are exported: metrics stay with Prometheus (`/metrics`) and logs with stdout.
 * Database and Redis calls and outgoing HTTP become spans only inside a trace, so the replicas'
 * background polling (controls, outbox relay, heartbeats) makes no traces of its own; probes
 * and scrapes (`/health/*`, `/metrics`) are not traced. The HTTP server span and the consumer's
 * span of an event carry the attribute `flow_id` (`flow.ts`).
 */
import { register } from "node:module";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { KafkaJsInstrumentation } from "@opentelemetry/instrumentation-kafkajs";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { createAddHookMessageChannel } from "import-in-the-middle";

/** Paths of requests that are not part of any user's flow: probes and scrapes. */
const untracedPath = /^\/(health\/|metrics(\?|$))/;

/** Start the SDK for `serviceName`; resolves once the loader hook took every instrumented module. */
export async function startTracingSdk(serviceName: string): Promise<NodeSDK> {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register("@opentelemetry/instrumentation/hook.mjs", import.meta.url, registerOptions);
  const sdk = new NodeSDK({
    serviceName,
    // Batched as OTEL_BSP_* say (defaults: every 5 s, 512 spans a request).
    traceExporter: new OTLPTraceExporter(),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => untracedPath.test(request.url ?? ""),
        requireParentforOutgoingSpans: true,
      }),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new KafkaJsInstrumentation(),
      // fetch(): the operator's calls to the services' admin API, the services' to providers.
      new UndiciInstrumentation({ requireParentforSpans: true }),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  return sdk;
}
