/** @module Redis locks against a real redis-server: expiry, and release/extend only by the owner. */
import { Redis } from "ioredis";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createLocks } from "../../services/kit";
import { type RedisServer, startRedis } from "../harness/redis";

let server: RedisServer;
let redis: Redis;

test.before(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});

test.after(async () => {
  redis?.disconnect();
  await server?.stop();
});

test("a held lock is exclusive and lives under lock:<domain>:<id> with an expiry", async () => {
  const locks = createLocks(redis);
  const first = await locks.acquire("purchase", "order-1", 5000);
  assert.ok(first);
  assert.is(await locks.acquire("purchase", "order-1", 5000), null);
  assert.is(await redis.get("lock:purchase:order-1"), first!.token);
  const ttl = await redis.pttl("lock:purchase:order-1");
  assert.ok(ttl > 0 && ttl <= 5000, `ttl ${ttl}`);
  assert.ok(await first!.release());
  assert.ok(await locks.acquire("purchase", "order-1", 5000));
});

test("an owner whose lock expired cannot release or extend the next owner's lock", async () => {
  const locks = createLocks(redis);
  const stale = await locks.acquire("purchase", "order-2", 100);
  assert.ok(stale);
  await new Promise((resolve) => setTimeout(resolve, 250));
  const current = await locks.acquire("purchase", "order-2", 5000);
  assert.ok(current);
  assert.is(await stale!.release(), false);
  assert.is(await stale!.extend(10_000), false);
  assert.is(await redis.get("lock:purchase:order-2"), current!.token);
  assert.ok(await current!.extend(20_000));
  assert.ok((await redis.pttl("lock:purchase:order-2")) > 5000);
});

test("waiting acquires once the holder releases; withLock runs only when acquired", async () => {
  const locks = createLocks(redis);
  const holder = await locks.acquire("payout", "p1", 5000);
  setTimeout(() => void holder!.release(), 150);
  const waited = await locks.acquire("payout", "p1", 5000, { waitMs: 2000, retryMs: 20 });
  assert.ok(waited);
  let ran = false;
  const refused = await locks.withLock("payout", "p1", 1000, async () => {
    ran = true;
  });
  assert.is(refused.acquired, false);
  assert.is(ran, false);
  await waited!.release();
  const done = await locks.withLock("payout", "p1", 1000, async () => "sent");
  assert.equal(done, { acquired: true, value: "sent" });
  assert.is(await redis.exists("lock:payout:p1"), 0);
});

test.run();
