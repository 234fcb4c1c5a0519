/**
 * @module Whose fault a failed Kafka send is: the event's (the broker refuses this record:
 * too large, an invalid or forbidden topic), the broker's availability (no connection, no
 * leader, timeouts: every event would fail), or not known. The outbox relay counts a delivery
 * failure against an event only when it is not an availability error and either the error is
 * the event's or other events went through in the same round, so a broker outage never parks.
 */

/** How a send error reads. */
export type DeliveryErrorKind = "event" | "availability" | "unknown";

/** Broker answers that are about the records sent, not about the broker (Kafka error names). */
const eventErrorTypes = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
  "INVALID_TIMESTAMP",
  "INVALID_TOPIC_EXCEPTION",
  "TOPIC_AUTHORIZATION_FAILED",
  "POLICY_VIOLATION",
]);

/** Broker answers that mean it cannot take anything right now. */
const availabilityErrorTypes = new Set([
  "LEADER_NOT_AVAILABLE",
  "NOT_LEADER_FOR_PARTITION",
  "REQUEST_TIMED_OUT",
  "NETWORK_EXCEPTION",
  "BROKER_NOT_AVAILABLE",
  "NOT_ENOUGH_REPLICAS",
  "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
  "NOT_CONTROLLER",
  "KAFKA_STORAGE_ERROR",
  "SASL_AUTHENTICATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
]);

/** kafkajs errors raised before or without a broker answer. */
const availabilityErrorNames = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
  "KafkaJSTimeout",
  "KafkaJSLockTimeout",
  "KafkaJSSASLAuthenticationError",
  "KafkaJSNoBrokerAvailableError",
]);

interface KafkaErrorFields {
  readonly name?: string;
  readonly type?: string;
  readonly cause?: unknown;
  readonly originalError?: unknown;
  /** KafkaJSAggregateError: one error per broker request of a batch. */
  readonly errors?: unknown;
}

/**
 * The error and every error it wraps: kafkajs nests the broker's answer in `cause` (retries
 * exceeded, non-retriable) and a batch over several brokers in `errors`.
 */
function chainOf(error: unknown): KafkaErrorFields[] {
  const chain: KafkaErrorFields[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && chain.length < 50) {
    const current = pending.shift();
    if (!current || typeof current !== "object" || chain.includes(current)) continue;
    const fields = current as KafkaErrorFields;
    chain.push(fields);
    pending.push(fields.cause, fields.originalError);
    if (Array.isArray(fields.errors)) pending.push(...fields.errors);
  }
  return chain;
}

/**
 * Classify a send error by the most specific error in its chain.
 * @example classifyDeliveryError(error) === "event" // the broker refused the record itself
 */
export function classifyDeliveryError(error: unknown): DeliveryErrorKind {
  const chain = chainOf(error);
  if (chain.some((item) => item.type !== undefined && eventErrorTypes.has(item.type))) {
    return "event";
  }
  const unavailable = chain.some(
    (item) =>
      (item.type !== undefined && availabilityErrorTypes.has(item.type)) ||
      (item.name !== undefined && availabilityErrorNames.has(item.name)),
  );
  return unavailable ? "availability" : "unknown";
}
