/** @module Proof that the harness's Kafka broker is real: produce, consume, and a broker restart loses nothing. */
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type KafkaServer, startKafka } from "../harness/kafka";

let server: KafkaServer;

test.before(async () => {
  server = await startKafka();
});

test.after(async () => {
  await server?.stop();
});

function client(): Kafka {
  return new Kafka({
    clientId: "harness-kafka-test",
    brokers: server.brokers,
    logLevel: logLevel.NOTHING,
  });
}

async function produce(topic: string, values: string[]): Promise<void> {
  const producer = client().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: values.map((value) => ({ key: "k", value })),
      acks: -1,
    });
  } finally {
    await producer.disconnect();
  }
}

/** Read `count` messages of `topic` from the beginning as a new consumer group. */
async function consume(topic: string, groupId: string, count: number): Promise<string[]> {
  const consumer = client().consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`only ${values.length} of ${count} messages within 60 s: ${values}`)),
        60_000,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? "");
            if (values.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    return values;
  } finally {
    await consumer.disconnect();
  }
}

test("a produced message is consumed by a consumer group", async () => {
  await produce("control-events", ['{"kind":"WithdrawalHalt","version":1}']);
  assert.equal(await consume("control-events", "first-reader", 1), [
    '{"kind":"WithdrawalHalt","version":1}',
  ]);
});

test("after the broker stops and starts again, earlier messages are still there", async () => {
  await produce("restart-proof", ["before restart"]);
  await server.stop();
  await server.start();
  await produce("restart-proof", ["after restart"]);
  assert.equal(await consume("restart-proof", "after-restart-reader", 2), [
    "before restart",
    "after restart",
  ]);
});

test.run();
