/** @module Unit tests for reading a failed Kafka send: the event's fault, the broker's, or unknown. */
import kafkajs from "kafkajs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { classifyDeliveryError } from "./outbox-delivery-errors";

// kafkajs is CommonJS: its error classes are reachable through the default export only.
const {
  KafkaJSAggregateError,
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} = kafkajs;

/** A broker answer as kafkajs builds it from an error code. */
function answer(type: string, retriable: boolean) {
  return new KafkaJSProtocolError({ message: type, type, retriable } as never);
}

test("a record the broker refuses is the event's fault, however kafkajs wraps it", () => {
  const tooLarge = answer("MESSAGE_TOO_LARGE", false);
  assert.is(classifyDeliveryError(tooLarge), "event");
  assert.is(
    classifyDeliveryError(
      new KafkaJSNumberOfRetriesExceeded(tooLarge, { retryCount: 0, retryTime: 0 }),
    ),
    "event",
  );
  assert.is(classifyDeliveryError(answer("TOPIC_AUTHORIZATION_FAILED", false)), "event");
  assert.is(
    classifyDeliveryError(
      new KafkaJSAggregateError("batch", [answer("INVALID_TOPIC_EXCEPTION", false)]),
    ),
    "event",
  );
});

test("no connection, no leader or a timeout is the broker being unavailable", () => {
  const refused = new KafkaJSConnectionError(
    "Connection error: connect ECONNREFUSED 127.0.0.1:9092",
  );
  assert.is(classifyDeliveryError(refused), "availability");
  const exceeded = new KafkaJSNumberOfRetriesExceeded(answer("LEADER_NOT_AVAILABLE", true), {
    retryCount: 2,
    retryTime: 1000,
  });
  assert.is(classifyDeliveryError(exceeded), "availability");
  assert.is(classifyDeliveryError(answer("SASL_AUTHENTICATION_FAILED", false)), "availability");
});

test("anything else is unknown: it counts only when other events went through", () => {
  assert.is(classifyDeliveryError(answer("UNKNOWN_TOPIC_OR_PARTITION", true)), "unknown");
  assert.is(classifyDeliveryError(new Error("something else")), "unknown");
  assert.is(classifyDeliveryError("a string"), "unknown");
});

test.run();
