/** @module The kafkajs client of a service instance, logging through pino instead of the console. */
import { readFileSync } from "node:fs";
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from "kafkajs";
import type { CommonConfig } from "./config";
import type { Logger } from "./logger";

/** How a service reaches its brokers: the Kafka settings of its validated config. */
export type KafkaConnection = Pick<
  CommonConfig,
  | "KAFKA_BROKERS"
  | "KAFKA_SASL_MECHANISM"
  | "KAFKA_SASL_USERNAME"
  | "KAFKA_SASL_PASSWORD"
  | "KAFKA_TLS"
  | "KAFKA_TLS_CA_FILE"
>;

/**
 * A Kafka client whose own retries are short, so callers (the relay) own the backoff.
 * kafkajs 2.2.4 prints `TimeoutNegativeWarning` on Node 24 from its request queue, whatever
 * the options; see "Known upstream issue" in the kit's README.
 */
export function createKafka(
  connection: KafkaConnection | string[],
  clientId: string,
  logger?: Logger,
): Kafka {
  const settings = Array.isArray(connection)
    ? { KAFKA_BROKERS: connection, KAFKA_TLS: false }
    : connection;
  return new Kafka({
    clientId,
    brokers: settings.KAFKA_BROKERS,
    ssl: tlsOptions(settings),
    sasl: saslOptions(settings),
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.ERROR,
    logCreator: () => (entry) => {
      logger?.debug({ kafka: entry.log, namespace: entry.namespace }, "kafka");
    },
  });
}

function tlsOptions(settings: Partial<KafkaConnection>): KafkaConfig["ssl"] {
  if (!settings.KAFKA_TLS) return undefined;
  if (settings.KAFKA_TLS_CA_FILE === undefined) return true;
  return { ca: [readFileSync(settings.KAFKA_TLS_CA_FILE, "utf8")] };
}

function saslOptions(settings: Partial<KafkaConnection>): SASLOptions | undefined {
  const mechanism = settings.KAFKA_SASL_MECHANISM;
  const username = settings.KAFKA_SASL_USERNAME;
  const password = settings.KAFKA_SASL_PASSWORD;
  if (mechanism === undefined || username === undefined || password === undefined) return undefined;
  return { mechanism, username, password } as SASLOptions;
}
