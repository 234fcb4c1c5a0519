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
export function createLocks(redis: Redis): Locks {
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
      const set = await redis.set(key, token, "PX", ttlMs, "NX");
      if (set === "OK") return heldLock(redis, key, token);
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
