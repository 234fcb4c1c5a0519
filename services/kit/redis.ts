/** @module The Redis client of a service instance, with errors logged rather than thrown at the process. */
import { Redis } from "ioredis";
import type { Logger } from "./logger";

export type { Redis };

/**
 * A Redis client that reconnects forever and fails commands fast while disconnected (so
 * readiness and locks see the outage instead of queueing behind it).
 */
export function createRedis(url: string, logger?: Logger, name = "main"): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    lazyConnect: false,
  });
  redis.on("error", (error) => logger?.debug({ err: error, redis: name }, "redis error"));
  return redis;
}
