/** @module Structured JSON logs (pino), one logger per service instance with its name and replica. */
import { trace } from "@opentelemetry/api";
import { type DestinationStream, pino } from "pino";
import { currentFlowId, flowIdAttribute } from "./flow";
import { redactText } from "./secret-redaction";

export type Logger = pino.Logger;

/** Fields censored wherever a log line carries them (top level, or one or two levels down). */
const credentialFields = [
  "authorization",
  "cookie",
  "set-cookie",
  "token",
  "accessToken",
  "adminToken",
  "password",
  "secret",
  "apiKey",
];

/** Paths pino censors: credentials at the top level, in a nested object or in its headers. */
export const redactedLogPaths: readonly string[] = credentialFields.flatMap((field) => [
  `["${field}"]`,
  `*["${field}"]`,
  `*.*["${field}"]`,
]);

function redactedError(error: Error): pino.SerializedError {
  const serialized = pino.stdSerializers.err(error);
  serialized.message = redactText(serialized.message);
  serialized.stack = redactText(serialized.stack);
  return serialized;
}

/**
 * What every line logged inside a flow carries: `flow_id`, and with tracing on the `trace_id`
 * and `span_id` of the span in progress (the names OpenTelemetry's log correlation uses), so a
 * log line leads to its trace and back.
 */
function flowFields(): Record<string, string> {
  const flowId = currentFlowId();
  const span = trace.getActiveSpan()?.spanContext();
  if (flowId === undefined && span === undefined) return {};
  const fields: Record<string, string> = {};
  if (flowId !== undefined) fields[flowIdAttribute] = flowId;
  if (span !== undefined) {
    fields.trace_id = span.traceId;
    fields.span_id = span.spanId;
  }
  return fields;
}

/**
 * The options of every JSON logger the platform runs (services and operator alike): ISO
 * time, the level as a label, `base` on every line, credentials censored as `***`.
 */
export function loggerOptions(level: string, base: Record<string, string>): pino.LoggerOptions {
  return {
    level,
    base,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...redactedLogPaths], censor: "***" },
    // A driver's error may quote a connection string with its password.
    serializers: { err: redactedError },
    mixin: flowFields,
  };
}

/** A JSON logger to stdout (or `destination`) that stamps every line with the service and replica. */
export function createLogger(
  options: { readonly service: string; readonly replicaId: string; readonly level: string },
  destination?: DestinationStream,
): Logger {
  return pino(
    loggerOptions(options.level, { service: options.service, replica: options.replicaId }),
    destination,
  );
}
