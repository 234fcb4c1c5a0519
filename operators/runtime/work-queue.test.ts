/** @module The work queue's guarantees: one worker per key, replay, backoff, rate limit. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { WorkQueue } from "./work-queue";

test("a key queued twice is handed out once", async () => {
  const queue = new WorkQueue();
  queue.add("payments/halt");
  queue.add("payments/halt");
  queue.add("payments/other");
  assert.is(queue.depth, 2);
  assert.is(await queue.get(), "payments/halt");
  assert.is(await queue.get(), "payments/other");
});

test("a key added while it is processed is not handed to a second worker until done", async () => {
  const queue = new WorkQueue();
  queue.add("payments/halt");
  const first = await queue.get();
  queue.add("payments/halt");
  assert.is(queue.depth, 0, "not queued while processing");
  let second: string | undefined;
  void queue.get().then((key) => {
    second = key;
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.is(second, undefined);
  queue.done(first!);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.is(second, "payments/halt", "replayed after done");
});

test("failures back off exponentially per key and forget resets it", () => {
  const queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 100 });
  assert.is(queue.addRateLimited("a"), 10);
  assert.is(queue.addRateLimited("a"), 20);
  assert.is(queue.addRateLimited("a"), 40);
  assert.is(queue.addRateLimited("a"), 80);
  assert.is(queue.addRateLimited("a"), 100, "capped at maxDelayMs");
  assert.is(queue.addRateLimited("b"), 10, "per key");
  queue.forget("a");
  assert.is(queue.addRateLimited("a"), 10);
  queue.shutdown();
});

test("the global bucket limits retries once the burst is spent", () => {
  const queue = new WorkQueue({ baseDelayMs: 1, retriesPerSecond: 10, retryBurst: 2 });
  assert.is(queue.addRateLimited("a"), 1);
  assert.is(queue.addRateLimited("b"), 1);
  const third = queue.addRateLimited("c");
  assert.ok(third >= 90 && third <= 100, `third retry waits for a token (${third} ms)`);
  queue.shutdown();
});

test("addAfter queues the key after the delay, earliest timer wins", async () => {
  const queue = new WorkQueue();
  queue.addAfter("a", 1000);
  queue.addAfter("a", 20);
  const started = Date.now();
  assert.is(await queue.get(), "a");
  assert.ok(Date.now() - started < 900);
  queue.shutdown();
});

test("shutdown releases waiting workers", async () => {
  const queue = new WorkQueue();
  const waiting = queue.get();
  queue.shutdown();
  assert.is(await waiting, undefined);
});

test("a key from a watch goes ahead of a backlog from a list or a resync", async () => {
  const queue = new WorkQueue();
  for (let index = 0; index < 1000; index += 1) queue.add(`scale/control-${index}`, "low");
  queue.add("payments/halt-btc");
  assert.is(await queue.get(), "payments/halt-btc");
  assert.is(await queue.get(), "scale/control-0");
  // A queued low key that changes is promoted, once.
  queue.add("scale/control-500");
  queue.add("scale/control-500", "low");
  assert.is(await queue.get(), "scale/control-500");
  assert.is(await queue.get(), "scale/control-1");
  assert.is(queue.depth, 1000 - 3);
});

test.run();
