/** @module Proof that the harness's Redis is real: pub/sub between two clients. */
import { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type RedisServer, startRedis } from "../harness/redis";

let server: RedisServer;

test.before(async () => {
  server = await startRedis();
});

test.after(async () => {
  await server?.stop();
});

test("a message published by one client reaches another client's subscription", async () => {
  const subscriber = new Redis(server.url);
  const publisher = new Redis(server.url);
  try {
    const received = new Promise<[string, string]>((resolve) => {
      subscriber.on("message", (channel: string, message: string) => resolve([channel, message]));
    });
    await subscriber.subscribe("controls:payments");
    const receivers = await publisher.publish("controls:payments", '{"version":7}');
    assert.is(receivers, 1, "exactly one subscriber was listening");
    assert.equal(await received, ["controls:payments", '{"version":7}']);
  } finally {
    subscriber.disconnect();
    publisher.disconnect();
  }
});

test("keys written by one client are read by another, and start() after stop() serves again", async () => {
  const writer = new Redis(server.url);
  await writer.set("lock:purchase:42", "held", "PX", 60_000);
  const reader = new Redis(server.url);
  assert.is(await reader.get("lock:purchase:42"), "held");
  writer.disconnect();
  reader.disconnect();

  await server.stop();
  await server.start();
  const again = new Redis(server.url);
  try {
    assert.is(await again.ping(), "PONG");
    assert.is(await again.get("lock:purchase:42"), null, "persistence is off");
  } finally {
    again.disconnect();
  }
});

test.run();
