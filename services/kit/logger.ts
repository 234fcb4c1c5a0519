/** @module Structured JSON logs (pino), one logger per service instance with its name and replica. */
import { pino } from "pino";

export type Logger = pino.Logger;

/** A JSON logger to stdout that stamps every line with the service and replica. */
export function createLogger(options: {
  readonly service: string;
  readonly replicaId: string;
  readonly level: string;
}): Logger {
  return pino({
    level: options.level,
    base: { service: options.service, replica: options.replicaId },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
