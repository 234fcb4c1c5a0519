/** @module The kafkajs client of a service instance, logging through pino instead of the console. */
import { Kafka, logLevel } from "kafkajs";
import type { Logger } from "./logger";

/** A Kafka client whose own retries are short, so callers (the relay) own the backoff. */
export function createKafka(brokers: string[], clientId: string, logger?: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.ERROR,
    logCreator: () => (entry) => {
      logger?.debug({ kafka: entry.log, namespace: entry.namespace }, "kafka");
    },
  });
}
