/**
 * @module Controls as a replica holds them: the whole set in memory (enforcement never touches
 * the database), reloaded on a Redis pub/sub message and on a timer in case a message was
 * lost, acknowledged by a heartbeat key in Redis that carries the version held and expires
 * when the replica stops. A replica that cannot load its controls fails closed: it is not
 * ready, and every enforcement call refuses with 503 `controls/unavailable`.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Redis } from "ioredis";
import type { AppEnv } from "./app-env";
import { type Control, type ControlSet, loadControlSet } from "./controls-store";
import type { Pool } from "./db";
import type { Logger } from "./logger";
import { kitProblems, type ProblemError, problem } from "./problem";
import type { RedisEndpoint } from "./redis-router";

/** What a replica holds right now. */
export interface ControlsView {
  /** Highest service-wide version loaded; 0 before the first load. */
  readonly version: number;
  /** False until the first load, and after a reload failed (fail closed). */
  readonly available: boolean;
  readonly controls: readonly Control[];
  readonly loadedAt: string | null;
  readonly lastError: string | null;
}

/** One replica as the controls GET reports it. */
export interface ReplicaStatus {
  readonly id: string;
  readonly version: number;
  readonly ackedAt: string;
  /** Heartbeating and holding its controls. A replica failing closed reports `live: false`. */
  readonly live: boolean;
  readonly ready: boolean;
  /** The Redis the replica uses (`primary` or `secondary`), as its heartbeat says. */
  readonly redis?: RedisEndpoint;
}

export interface ControlsOptions {
  readonly service: string;
  readonly replicaId: string;
  readonly pool: Pool;
  /**
   * Where to load from, given the set held now (read-only mode loads from the read replica,
   * so a primary outage does not make the replica fail closed). @default the pool
   */
  readonly loadPool?: (held: ControlSet | undefined) => Pool;
  readonly redis: Redis;
  /**
   * A second connection for SUBSCRIBE (a subscribed connection can run nothing else), or one
   * per Redis server when the service has two: announcements are heard from either.
   */
  readonly subscriber: Redis | readonly Redis[];
  /**
   * Every Redis server heartbeats may be on (the active one first): the listing merges them,
   * so replicas that moved to another server at a RedisFailover are still counted. @default [redis]
   */
  readonly redisServers?: () => readonly Redis[];
  /** Which Redis the replica uses, written into its heartbeat. */
  readonly redisEndpoint?: () => RedisEndpoint;
  /** Called with the controls held after every load, before the heartbeat acknowledges them. */
  readonly onLoaded?: (controls: readonly Control[]) => void;
  readonly logger: Logger;
  /** @default 2000 */
  readonly reloadMs?: number;
  /** @default 1000 */
  readonly heartbeatMs?: number;
  /** @default 10000 */
  readonly replicaTtlMs?: number;
}

/** What a replica's heartbeat key holds. */
interface ReplicaHeartbeat {
  readonly version: number;
  readonly ackedAt: string;
  readonly ready: boolean;
  readonly redis?: RedisEndpoint;
}

/** Redis channel on which control changes are announced. */
export function controlsChannel(service: string): string {
  return `controls:${service}:changed`;
}

/** Prefix of replica heartbeat keys (`controls:<service>:replica:<id>`). */
export function replicaKeyPrefix(service: string): string {
  return `controls:${service}:replica:`;
}

/** Refusal of a request because a control blocks it. */
export interface Refusal {
  /** Problem slug, e.g. `withdrawals/halted`. */
  readonly type: string;
  readonly title: string;
  /** @default 423 */
  readonly status?: number;
}

/**
 * The problem for a request refused by `control`: names the control, its ticket and reason.
 *
 * @example throw refuse(control, "withdrawals/halted", "Withdrawals are halted", 423);
 */
export function refuse(
  control: Control,
  type: string,
  title: string,
  status = 423,
  headers?: Record<string, string>,
): ProblemError {
  return problem({
    type,
    title,
    status,
    ...(headers ? { headers } : {}),
    detail: `refused by ${control.kind} ${control.id} (${control.ticket}): ${control.reason}`,
    extensions: {
      control: control.id,
      kind: control.kind,
      ticket: control.ticket,
      reason: control.reason,
    },
  });
}

/** The 503 a replica answers while it cannot hold its controls. */
export function controlsUnavailable(detail?: string): ProblemError {
  return problem({
    type: kitProblems.controlsUnavailable,
    title: "Controls are unavailable",
    status: 503,
    detail: detail ?? "this replica cannot load its controls, so it refuses money-moving requests",
    headers: { "retry-after": "2" },
  });
}

/** Whether `control` is in force at `nowMs`: it has no `expiresAt`, or that time is still ahead. */
export function isControlActive(control: Control, nowMs: number = Date.now()): boolean {
  return control.expiresAt === null || Date.parse(control.expiresAt) > nowMs;
}

/**
 * The most restrictive active control of `kind` that `matches`: highest `rank`, ties to the
 * newest version; expired controls (`expiresAt` ≤ now) are ignored.
 */
export function mostRestrictive(
  controls: readonly Control[],
  kind: string,
  matches: (control: Control) => boolean,
  rank: (control: Control) => number,
  nowMs: number,
): Control | undefined {
  let best: Control | undefined;
  for (const control of controls) {
    if (control.kind !== kind || !isControlActive(control, nowMs) || !matches(control)) continue;
    if (
      best === undefined ||
      rank(control) > rank(best) ||
      (rank(control) === rank(best) && control.version > best.version)
    ) {
      best = control;
    }
  }
  return best;
}

/** A replica's controls; see the module comment. */
export class Controls {
  #view: ControlsView = {
    version: 0,
    available: false,
    controls: [],
    loadedAt: null,
    lastError: null,
  };
  #timers: NodeJS.Timeout[] = [];
  #reloading: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #stopped = false;

  constructor(private readonly options: ControlsOptions) {}

  /** What the replica holds (for the GET, readiness and logs). */
  current(): ControlsView {
    return this.#view;
  }

  get available(): boolean {
    return this.#view.available;
  }

  /** Throw 503 `controls/unavailable` unless controls are loaded. Call it on money-moving paths. */
  requireAvailable(): void {
    if (!this.#view.available) throw controlsUnavailable(this.#view.lastError ?? undefined);
  }

  /**
   * The most restrictive active control of `kind` that `matches`, or undefined. Fails closed:
   * throws 503 `controls/unavailable` when the replica cannot hold its controls. `rank`
   * orders restrictiveness (higher wins; ties go to the newest version).
   *
   * @example const halt = controls.findBlocking("WithdrawalHalt", (c) => scopeIncludes(c.spec.scope?.currencies, "BTC"));
   */
  findBlocking(
    kind: string,
    matches: (control: Control) => boolean = () => true,
    rank: (control: Control) => number = () => 0,
  ): Control | undefined {
    this.requireAvailable();
    return mostRestrictive(this.#view.controls, kind, matches, rank, Date.now());
  }

  /**
   * Every active (unexpired) control of `kind` that `matches`, for callers that need all of
   * them rather than the most restrictive one (e.g. every halted currency). Fails closed like
   * {@link findBlocking}.
   */
  active(kind: string, matches: (control: Control) => boolean = () => true): Control[] {
    this.requireAvailable();
    const nowMs = Date.now();
    return this.#view.controls.filter(
      (control) => control.kind === kind && isControlActive(control, nowMs) && matches(control),
    );
  }

  /** Start: first load, subscription, reload timer and heartbeat. Never throws for a failed load. */
  async start(): Promise<void> {
    const { service, logger } = this.options;
    for (const subscriber of this.#subscribers()) {
      subscriber.on("message", (channel: string) => {
        if (channel === controlsChannel(service)) void this.reload();
      });
      // Re-subscribing after a reconnect is ioredis's job; a lost message is covered by the timer.
      await subscriber.subscribe(controlsChannel(service)).catch((error: Error) => {
        logger.warn({ err: error }, "cannot subscribe to control changes yet; relying on reloads");
      });
    }
    await this.reload();
    this.#timers.push(setInterval(() => void this.reload(), this.options.reloadMs ?? 2000));
    this.#timers.push(setInterval(() => void this.heartbeat(), this.options.heartbeatMs ?? 1000));
  }

  /**
   * Load the set from PostgreSQL now. A call while a load runs queues one more load after it
   * (that load may have read before the change being announced), and callers meanwhile share it.
   */
  reload(): Promise<void> {
    if (this.#reloading) {
      this.#queued ??= this.#reloading.then(() => {
        this.#queued = undefined;
        return this.reload();
      });
      return this.#queued;
    }
    this.#reloading = this.#load().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async #load(): Promise<void> {
    if (this.#stopped) return;
    try {
      // The last set loaded, even after a failed reload: read-only mode must outlast a blip.
      const held = this.#view.loadedAt === null ? undefined : this.#view;
      const pool = this.options.loadPool?.(held) ?? this.options.pool;
      const set = await loadControlSet(pool, this.options.service);
      this.#swap(set);
    } catch (error) {
      const message = (error as Error).message;
      if (this.#view.available) {
        this.options.logger.error({ err: error }, "cannot load controls; failing closed");
      }
      this.#view = { ...this.#view, available: false, lastError: message };
    }
    // Also after a failed reload: what is held (and its expiries) still decides.
    this.options.onLoaded?.(this.#view.controls);
    await this.heartbeat();
  }

  #swap(set: ControlSet): void {
    // A slower, older read must never replace a newer set.
    if (this.#view.available && set.version < this.#view.version) return;
    if (set.version !== this.#view.version || !this.#view.available) {
      this.options.logger.info(
        { version: set.version, controls: set.controls.length },
        "controls loaded",
      );
    }
    this.#view = {
      version: set.version,
      available: true,
      controls: set.controls,
      loadedAt: new Date().toISOString(),
      lastError: null,
    };
  }

  /** Write this replica's acknowledgement (its version) with an expiry. */
  async heartbeat(): Promise<void> {
    if (this.#stopped) return;
    const { redis, service, replicaId } = this.options;
    const value = JSON.stringify({
      version: this.#view.version,
      ackedAt: new Date().toISOString(),
      ready: this.#view.available,
      ...(this.options.redisEndpoint ? { redis: this.options.redisEndpoint() } : {}),
    });
    await redis
      .set(
        `${replicaKeyPrefix(service)}${replicaId}`,
        value,
        "PX",
        this.options.replicaTtlMs ?? 10000,
      )
      .catch(() => undefined);
  }

  /**
   * Announce a change so every replica reloads now: on the Redis in use, and also (without
   * waiting) on the other server, where replicas that have not switched yet listen.
   */
  async announce(version: number): Promise<void> {
    const { redis, redisServers, service } = this.options;
    for (const other of redisServers?.().slice(1) ?? []) {
      other.publish(controlsChannel(service), String(version)).catch(() => undefined);
    }
    await redis.publish(controlsChannel(service), String(version));
  }

  /** The replicas whose heartbeat has not expired. */
  async replicas(): Promise<ReplicaStatus[]> {
    const servers = this.options.redisServers?.() ?? [this.options.redis];
    const found = await Promise.allSettled(servers.map((redis) => this.#replicasOn(redis)));
    const listed = found.filter((one) => one.status === "fulfilled").map((one) => one.value);
    // Only when no server answers is nothing known; a server that is down holds no live replica.
    if (listed.length === 0) throw (found[0] as PromiseRejectedResult).reason;
    const newest = new Map<string, ReplicaStatus>();
    for (const replica of listed.flat()) {
      const seen = newest.get(replica.id);
      if (!seen || replica.ackedAt > seen.ackedAt) newest.set(replica.id, replica);
    }
    return [...newest.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  async #replicasOn(redis: Redis): Promise<ReplicaStatus[]> {
    const prefix = replicaKeyPrefix(this.options.service);
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, found] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      keys.push(...found);
    } while (cursor !== "0");
    if (keys.length === 0) return [];
    const values = await redis.mget(...keys);
    const replicas: ReplicaStatus[] = [];
    keys.forEach((key, index) => {
      const raw = values[index];
      if (!raw) return;
      const parsed = JSON.parse(raw) as ReplicaHeartbeat;
      replicas.push({
        id: key.slice(prefix.length),
        version: parsed.version,
        ackedAt: parsed.ackedAt,
        live: parsed.ready,
        ready: parsed.ready,
        ...(parsed.redis ? { redis: parsed.redis } : {}),
      });
    });
    return replicas;
  }

  #subscribers(): readonly Redis[] {
    const { subscriber } = this.options;
    return Array.isArray(subscriber) ? subscriber : [subscriber as Redis];
  }

  /** Stop timers, drop the heartbeat (so the replica leaves the list at once) and unsubscribe. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    await this.#reloading?.catch(() => undefined);
    const { redis, service, replicaId } = this.options;
    for (const server of this.options.redisServers?.() ?? [redis]) {
      await server.del(`${replicaKeyPrefix(service)}${replicaId}`).catch(() => undefined);
    }
    for (const subscriber of this.#subscribers()) {
      await subscriber.unsubscribe().catch(() => undefined);
    }
  }
}

/** Middleware that refuses with 503 `controls/unavailable` while controls are not loaded. */
export function failClosed(controls: Controls): MiddlewareHandler<AppEnv> {
  return async function failClosedMiddleware(_c, next) {
    controls.requireAvailable();
    await next();
  };
}

/**
 * Middleware that refuses the request when an active control of `kind` matches it.
 *
 * @example app.use("/v1/payouts", requireNoControl(controls, "WithdrawalHalt", () => true, { type: "withdrawals/halted", title: "Withdrawals are halted" }));
 */
export function requireNoControl(
  controls: Controls,
  kind: string,
  matches: (control: Control, c: Context<AppEnv>) => boolean,
  refusal: Refusal,
): MiddlewareHandler<AppEnv> {
  return async function requireNoControlMiddleware(c, next) {
    const blocking = controls.findBlocking(kind, (control) => matches(control, c));
    if (blocking) throw refuse(blocking, refusal.type, refusal.title, refusal.status ?? 423);
    await next();
  };
}
