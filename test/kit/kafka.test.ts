/**
 * @module The kit's kafkajs client against a real broker: an idle, connected client keeps no
 * timer spinning and prints no TimeoutNegativeWarning (kafkajs 2.2.4 does both without the
 * kit's fix), while producing and consuming still work, the broker's answers included.
 */
import { createHook } from "node:async_hooks";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createKafka } from "../../services/kit/kafka";
import { type KafkaServer, startKafka } from "../harness/kafka";

let kafka: KafkaServer;
const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);

test.before(async () => {
  kafka = await startKafka();
  process.on("warning", onWarning);
});

test.after(async () => {
  process.off("warning", onWarning);
  await kafka?.stop();
});

/** Timers created while `ms` pass. */
async function timersCreatedDuring(ms: number): Promise<number> {
  let created = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === "Timeout") created += 1;
    },
  }).enable();
  try {
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    hook.disable();
  }
  return created;
}

test("a connected client that has sent and received, then idles, keeps no timer spinning", async () => {
  const client = createKafka(kafka.brokers, "kit-kafka-test");
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "kit.idle" }], waitForLeaders: true });
  const producer = client.producer();
  await producer.connect();
  const consumer = client.consumer({ groupId: "kit-idle" });
  try {
    for (let index = 0; index < 20; index += 1) {
      await producer.send({ topic: "kit.idle", messages: [{ key: "k", value: String(index) }] });
    }
    const offsets = await admin.fetchTopicOffsets("kit.idle");
    assert.is(offsets[0]?.high, "20", "the broker answered every send");
    // Let the last responses settle, then watch an idle second.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const created = await timersCreatedDuring(1000);
    // Unfixed, each of the three connections re-arms a 1 ms timer: hundreds per second.
    assert.ok(created < 20, `${created} timers created in an idle second`);
    assert.equal(
      warnings.filter((warning) => warning.startsWith("TimeoutNegativeWarning")),
      [],
    );
    // And the client still works after idling: a consumer reads everything back.
    await consumer.connect();
    await consumer.subscribe({ topic: "kit.idle", fromBeginning: true });
    const read: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read only ${read.length} of 20`)), 20_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            read.push(String(message.value));
            if (read.length === 20) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    assert.equal(
      read,
      Array.from({ length: 20 }, (_, index) => String(index)),
    );
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }
});

test.run();
