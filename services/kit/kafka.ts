/** @module The kafkajs client of a service instance, logging through pino instead of the console. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
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

/** The part of kafkajs's per-connection request queue that the fix below touches. */
interface RequestQueuePrototype {
  scheduleCheckPendingRequests(this: { pending: unknown[]; throttledUntil: number }): void;
}

/**
 * kafkajs 2.2.4 (the latest release) re-arms a timer after every response even when nothing
 * waits and nothing is throttled, with a negative delay: each broker connection then spins a
 * 1 ms timer forever (about 1% of a core) and Node 24 prints `TimeoutNegativeWarning`
 * (tulios/kafkajs#1751, #1704; fixes proposed upstream, not released). The request queue is
 * the same module kafkajs loads, so this makes the one missing check there: with nothing
 * pending and no throttle to wait out there is nothing to check later. A queued request still
 * schedules its check, and a throttle still waits its time. `test/kit/kafka.test.ts` holds an
 * idle connection to (nearly) no timers, so a kafkajs upgrade that changes this is caught.
 */
function stopIdleRequestQueueTimers(): void {
  const require = createRequire(import.meta.url);
  const queue = require("kafkajs/src/network/requestQueue/index.js") as {
    prototype: RequestQueuePrototype;
  };
  const schedule = queue.prototype.scheduleCheckPendingRequests;
  queue.prototype.scheduleCheckPendingRequests = function scheduleWhenSomethingWaits() {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
}
stopIdleRequestQueueTimers();

/** A Kafka client whose own retries are short, so callers (the relay) own the backoff. */
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
