/**
 * @module Liveness and readiness: `/health/live` answers while the process serves;
 * `/health/ready` checks every dependency on every call — PostgreSQL (`SELECT 1`), Redis
 * (`PING`), the controls held in memory, and Kafka (cluster metadata) — and answers each
 * one's state and check latency, 200 when every required one is up, 503 problem+json naming
 * the ones that are not. Kafka is reported but not required: events wait in the outbox
 * while the brokers are away, so money keeps moving.
 */
import type { Redis } from "ioredis";
import type { Admin, Kafka } from "kafkajs";
import type { ServiceApp } from "./app-env";
import type { Controls } from "./controls";
import type { Pool } from "./db";
import { kitProblems, problemResponse } from "./problem";

export interface ReadinessDependencies {
  readonly pool: Pool;
  /** The pool reads use now (the read replica in read-only mode); checked instead of `pool`. */
  readonly readPool?: () => Pool;
  readonly redis: Redis;
  readonly controls: Controls;
  /** Reported, never required (the outbox holds events while it is away). */
  readonly kafka?: KafkaProbe;
  /** Per check. @default 2000 */
  readonly timeoutMs?: number;
  /** False while shutting down, so load balancers stop sending traffic first. */
  readonly accepting?: () => boolean;
}

/** The state of one dependency as `/health/ready` reports it. */
export interface DependencyState {
  readonly status: "up" | "down";
  /** Whether the replica is unready while this one is down. */
  readonly required: boolean;
  /** How long the check took (up to the timeout). */
  readonly latencyMs: number;
  readonly error?: string;
  /** What the check learned (the controls' version, Kafka's brokers). */
  readonly details?: Readonly<Record<string, unknown>>;
}

interface Check {
  readonly required: boolean;
  run(): Promise<Record<string, unknown> | undefined>;
}

/** `promise`, or an error naming `what` when it has not settled within `timeoutMs`. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A Kafka admin client kept for readiness checks (one metadata request per check). */
export interface KafkaProbe {
  describe(): Promise<{ brokers: number; controller: number | null }>;
  close(): Promise<void>;
}

/** A {@link KafkaProbe} on `kafka` that connects on first use and again after a disconnect. */
export function createKafkaProbe(kafka: Kafka): KafkaProbe {
  let admin: Admin | undefined;
  let connected = false;
  return {
    async describe() {
      // No retries: a readiness check answers now; the next check tries again.
      admin ??= kafka.admin({ retry: { retries: 0 } });
      if (!connected) {
        await admin.connect();
        connected = true;
        admin.on(admin.events.DISCONNECT, () => {
          connected = false;
        });
      }
      const cluster = await admin.describeCluster();
      return { brokers: cluster.brokers.length, controller: cluster.controller };
    },
    async close() {
      if (admin && connected) await admin.disconnect().catch(() => undefined);
      connected = false;
    },
  };
}

function checksOf(deps: ReadinessDependencies, timeoutMs: number): Record<string, Check> {
  const checks: Record<string, Check> = {
    postgresql: {
      required: true,
      run: async () => {
        await withTimeout(
          (deps.readPool?.() ?? deps.pool).query("SELECT 1"),
          timeoutMs,
          "postgresql",
        );
        return undefined;
      },
    },
    redis: {
      required: true,
      run: async () => {
        await withTimeout(deps.redis.ping(), timeoutMs, "redis");
        return undefined;
      },
    },
    controls: {
      required: true,
      run: async () => {
        const view = deps.controls.current();
        if (!view.available) throw new Error(view.lastError ?? "controls not loaded yet");
        return { version: view.version };
      },
    },
  };
  const kafka = deps.kafka;
  if (kafka) {
    checks.kafka = {
      required: false,
      run: () => withTimeout(kafka.describe(), timeoutMs, "kafka"),
    };
  }
  return checks;
}

async function runCheck(check: Check): Promise<DependencyState> {
  const started = performance.now();
  const latencyMs = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    const details = await check.run();
    return { status: "up", required: check.required, latencyMs: latencyMs(), details };
  } catch (error) {
    const message = (error as Error).message || String(error);
    return { status: "down", required: check.required, latencyMs: latencyMs(), error: message };
  }
}

/** Run every check at once; each dependency's state by name. */
export async function checkDependencies(
  deps: ReadinessDependencies,
): Promise<Record<string, DependencyState>> {
  const checks = Object.entries(checksOf(deps, deps.timeoutMs ?? 2000));
  const states = await Promise.all(checks.map(([, check]) => runCheck(check)));
  return Object.fromEntries(checks.map(([name], index) => [name, states[index]!]));
}

/** The required dependencies that are down (and `shutdown` while stopping): empty = ready. */
export function readinessFailures(
  states: Readonly<Record<string, DependencyState>>,
  accepting = true,
): Record<string, string> {
  const failures: Record<string, string> = {};
  for (const [name, state] of Object.entries(states)) {
    if (state.required && state.status === "down") failures[name] = state.error ?? "down";
  }
  if (!accepting) failures.shutdown = "the replica is shutting down";
  return failures;
}

/** Mount `/health/live` and `/health/ready`. */
export function mountHealth(app: ServiceApp, deps: ReadinessDependencies): void {
  app.get("/health/live", (c) => c.json({ status: "live" }));
  app.get("/health/ready", async (c) => {
    const checks = await checkDependencies(deps);
    const failures = readinessFailures(checks, deps.accepting?.() ?? true);
    const failed = Object.keys(failures);
    const controlsVersion = deps.controls.current().version;
    if (failed.length === 0) return c.json({ status: "ready", controlsVersion, checks });
    return problemResponse({
      type: kitProblems.dependencyUnavailable,
      title: "Not ready",
      status: 503,
      detail: failed.map((name) => `${name}: ${failures[name]}`).join("; "),
      extensions: { failed, checks, controlsVersion },
    });
  });
}
