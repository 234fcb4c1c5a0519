/**
 * @module Which Redis a replica uses: the primary (`REDIS_URL`) or, while a RedisFailover
 * control names the service, the secondary (`REDIS_SECONDARY`). The router owns both
 * connections and hands the rest of the kit one stable client (`redis`) that forwards every
 * command to the active one, so locks, counters, heartbeats and announcements move together,
 * on every replica, without a restart. Pub/sub listens on both servers (announcements made by a
 * replica on either reach every replica while they move). `redis_active_endpoint{endpoint}`
 * says which one is in use.
 */
import type { Redis } from "ioredis";
import { Gauge, type Registry } from "prom-client";
import { isControlActive } from "./controls";
import type { Control } from "./controls-store";
import type { Logger } from "./logger";
import { createRedis } from "./redis";

export const redisFailoverKind = "RedisFailover";

/** Which of the two servers: `primary` (REDIS_URL) or `secondary` (REDIS_SECONDARY). */
export type RedisEndpoint = "primary" | "secondary";

/** The server a replica left at a switch, while locks taken there may still be held. */
export interface PreviousRedis {
  readonly client: Redis;
  readonly switchedAtMs: number;
}

export interface RedisRouter {
  /** One client for everything: each command goes to the active server. */
  readonly redis: Redis;
  /** A SUBSCRIBE connection per server (a subscribed connection can run nothing else). */
  readonly subscribers: readonly Redis[];
  readonly hasSecondary: boolean;
  active(): RedisEndpoint;
  /** The active server's connection itself (a lock stays on the server it was taken on). */
  client(): Redis;
  /** Every server's connection, the active one first. */
  clients(): Redis[];
  /** The server left at the last switch and when; undefined before any switch. */
  previous(): PreviousRedis | undefined;
  /** Use the secondary while an active RedisFailover in `controls` names `service`. */
  follow(controls: readonly Control[]): void;
  close(): Promise<void>;
}

/** The RedisFailover control of `controls` that names `service`, if one is in force. */
export function redisFailoverControl(
  controls: readonly Control[],
  service: string,
  nowMs = Date.now(),
): Control | undefined {
  return controls.find(
    (control) =>
      control.kind === redisFailoverKind &&
      isControlActive(control, nowMs) &&
      ((control.spec as { services?: string[] }).services ?? []).includes(service),
  );
}

export interface RedisRouterOptions {
  readonly service: string;
  readonly primaryUrl: string;
  readonly secondaryUrl?: string;
  readonly logger?: Logger;
  readonly registry?: Registry;
}

/** Open the connections (primary, and secondary when configured) and start on the primary. */
export function createRedisRouter(options: RedisRouterOptions): RedisRouter {
  const { logger } = options;
  const servers: Record<RedisEndpoint, Redis | undefined> = {
    primary: createRedis(options.primaryUrl, logger, "primary"),
    secondary: options.secondaryUrl
      ? createRedis(options.secondaryUrl, logger, "secondary")
      : undefined,
  };
  const subscribers = [options.primaryUrl, options.secondaryUrl]
    .filter((url): url is string => url !== undefined)
    .map((url, index) =>
      createRedis(url, logger, index === 0 ? "subscriber" : "secondary-subscriber"),
    );
  let active: RedisEndpoint = "primary";
  let previous: PreviousRedis | undefined;
  const gauge = new Gauge({
    name: "redis_active_endpoint",
    help: "1 for the Redis this replica uses now (primary: REDIS_URL, secondary: REDIS_SECONDARY), 0 for the other.",
    labelNames: ["endpoint"],
    registers: options.registry ? [options.registry] : [],
  });
  const report = () => {
    gauge.set({ endpoint: "primary" }, active === "primary" ? 1 : 0);
    gauge.set({ endpoint: "secondary" }, active === "secondary" ? 1 : 0);
  };
  report();
  const client = () => servers[active]!;
  const clients = () =>
    [client(), ...Object.values(servers).filter((one) => one && one !== client())] as Redis[];

  function use(endpoint: RedisEndpoint): void {
    if (endpoint === active || servers[endpoint] === undefined) return;
    previous = { client: client(), switchedAtMs: Date.now() };
    active = endpoint;
    report();
    logger?.warn({ redis: endpoint }, `redis: switched to the ${endpoint}`);
  }

  return {
    redis: forwardingClient(client, clients),
    subscribers,
    hasSecondary: servers.secondary !== undefined,
    active: () => active,
    client,
    clients,
    previous: () => previous,
    follow(controls) {
      use(redisFailoverControl(controls, options.service) ? "secondary" : "primary");
    },
    async close() {
      await Promise.all(
        [...Object.values(servers), ...subscribers].map((one) =>
          one?.quit().catch(() => undefined),
        ),
      );
    },
  };
}

/** Calls that configure a connection rather than run a command: they go to every server. */
const everyServer = new Set<PropertyKey>(["defineCommand", "on", "once", "off", "removeListener"]);

/**
 * A client that sends each call to `current()` at the time of the call; commands defined with
 * `defineCommand` (rate-limiter-flexible's) and listeners are set on every server, so they
 * exist on whichever is active later.
 */
function forwardingClient(current: () => Redis, all: () => Redis[]): Redis {
  const forwarding: Redis = new Proxy({} as Redis, {
    get(_target, property) {
      if (everyServer.has(property)) {
        return (...args: unknown[]) => {
          for (const one of all()) Reflect.apply(Reflect.get(one, property), one, args);
          return forwarding;
        };
      }
      const client = current();
      const value: unknown = Reflect.get(client, property, client);
      return typeof value === "function" ? value.bind(client) : value;
    },
  });
  return forwarding;
}
