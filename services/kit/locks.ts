/**
 * @module Redis locks with an expiry and an owner token: `SET lock:<domain>:<id> <token> NX PX`,
 * released or extended only by the owner (Lua compare-and-delete / compare-and-expire), so a
 * holder whose lock expired cannot release someone else's. The `lock:` prefix is what the
 * LockFlush control action scans for.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";

const releaseScript = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const extendScript = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

/** A held lock. */
export interface Lock {
  readonly key: string;
  readonly token: string;
  /** Delete the key if this owner still holds it; false when it had expired or moved on. */
  release(): Promise<boolean>;
  /** Push the expiry to `ttlMs` from now if this owner still holds it. */
  extend(ttlMs: number): Promise<boolean>;
}

export interface AcquireOptions {
  /** Keep trying this long before giving up. @default 0 (one try) */
  readonly waitMs?: number;
  /** Pause between tries. @default 50 */
  readonly retryMs?: number;
}

/** The Redis key of a lock: `lock:<domain>:<id>`. Domains and ids may not contain spaces. */
export function lockKey(domain: string, id: string): string {
  if (!/^[a-z0-9_-]+$/.test(domain))
    throw new Error(`lock domain "${domain}": expected [a-z0-9_-]+`);
  if (id.length === 0 || /\s/.test(id)) throw new Error(`lock id "${id}": expected no whitespace`);
  return `lock:${domain}:${id}`;
}

/**
 * The Redis servers of a service that can switch (redis-router.ts): the one in use, and the
 * one it left at the last switch, whose locks may still be held.
 */
export interface LockServers {
  client(): Redis;
  previous(): { readonly client: Redis; readonly switchedAtMs: number } | undefined;
}

/** How long the server left at a switch may take to say whether it holds a lock. */
const previousServerTimeoutMs = 500;

/** Locks on one Redis client. */
export interface Locks {
  /** Take the lock or return null when another owner holds it (after `waitMs`). */
  acquire(
    domain: string,
    id: string,
    ttlMs: number,
    options?: AcquireOptions,
  ): Promise<Lock | null>;
  /** Run `fn` holding the lock; null (and `fn` not run) when the lock is taken. */
  withLock<T>(
    domain: string,
    id: string,
    ttlMs: number,
    fn: (lock: Lock) => Promise<T>,
    options?: AcquireOptions,
  ): Promise<{ acquired: true; value: T } | { acquired: false }>;
}

/**
 * Locks backed by `redis`.
 *
 * @example const lock = await createLocks(redis).acquire("purchase", orderId, 30_000);
 */
export function createLocks(redis: Redis | LockServers): Locks {
  const servers: LockServers =
    "previous" in redis ? redis : { client: () => redis, previous: () => undefined };
  async function acquire(
    domain: string,
    id: string,
    ttlMs: number,
    options: AcquireOptions = {},
  ): Promise<Lock | null> {
    const key = lockKey(domain, id);
    const token = randomUUID();
    const deadline = Date.now() + (options.waitMs ?? 0);
    for (;;) {
      // The lock lives on the server it is taken on: release and extend go there too.
      const client = servers.client();
      const free = !(await heldOnPrevious(servers, key, ttlMs));
      const set = free ? await client.set(key, token, "PX", ttlMs, "NX") : null;
      if (set === "OK") return heldLock(client, key, token);
      if (Date.now() >= deadline) return null;
      await sleep(options.retryMs ?? 50);
    }
  }
  return {
    acquire,
    async withLock(domain, id, ttlMs, fn, options) {
      const lock = await acquire(domain, id, ttlMs, options);
      if (lock === null) return { acquired: false };
      try {
        return { acquired: true, value: await fn(lock) };
      } finally {
        await lock.release();
      }
    },
  };
}

/**
 * Within `ttlMs` of a switch, a lock taken on the server left behind may still be held (a
 * domain's locks share one TTL): it counts as taken while that server holds the key, and also
 * while it cannot say (down or slow), so two owners never run at once. Later, any lock taken
 * there before the switch has expired.
 */
async function heldOnPrevious(servers: LockServers, key: string, ttlMs: number): Promise<boolean> {
  const previous = servers.previous();
  if (!previous || Date.now() - previous.switchedAtMs >= ttlMs) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no answer")), previousServerTimeoutMs);
  });
  try {
    return (await Promise.race([previous.client.exists(key), timeout])) > 0;
  } catch {
    return true;
  } finally {
    clearTimeout(timer);
  }
}

function heldLock(redis: Redis, key: string, token: string): Lock {
  return {
    key,
    token,
    async release() {
      return (await redis.eval(releaseScript, 1, key, token)) === 1;
    },
    async extend(ttlMs: number) {
      return (await redis.eval(extendScript, 1, key, token, String(ttlMs))) === 1;
    },
  };
}
