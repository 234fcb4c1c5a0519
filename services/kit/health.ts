/**
 * @module Liveness and readiness: `/health/live` answers while the process serves;
 * `/health/ready` checks PostgreSQL, Redis and that the replica holds its controls, and
 * answers 503 problem+json naming what failed.
 */
import type { Redis } from "ioredis";
import type { ServiceApp } from "./app-env";
import type { Controls } from "./controls";
import type { Pool } from "./db";
import { kitProblems, problemResponse } from "./problem";

export interface ReadinessDependencies {
  readonly pool: Pool;
  readonly redis: Redis;
  readonly controls: Controls;
  /** Per check. @default 2000 */
  readonly timeoutMs?: number;
  /** False while shutting down, so load balancers stop sending traffic first. */
  readonly accepting?: () => boolean;
}

type Check = "postgresql" | "redis" | "controls";

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Run every readiness check; returns the failures (empty = ready). */
export async function readinessFailures(
  deps: ReadinessDependencies,
): Promise<Record<string, string>> {
  const timeoutMs = deps.timeoutMs ?? 2000;
  const checks: Record<Check, () => Promise<unknown>> = {
    postgresql: () => withTimeout(deps.pool.query("SELECT 1"), timeoutMs, "postgresql"),
    redis: () => withTimeout(deps.redis.ping(), timeoutMs, "redis"),
    controls: async () => {
      const view = deps.controls.current();
      if (!view.available) throw new Error(view.lastError ?? "controls not loaded yet");
    },
  };
  const failures: Record<string, string> = {};
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await check();
      } catch (error) {
        failures[name] = (error as Error).message;
      }
    }),
  );
  if (deps.accepting && !deps.accepting()) failures.shutdown = "the replica is shutting down";
  return failures;
}

/** Mount `/health/live` and `/health/ready`. */
export function mountHealth(app: ServiceApp, deps: ReadinessDependencies): void {
  app.get("/health/live", (c) => c.json({ status: "live" }));
  app.get("/health/ready", async (c) => {
    const failures = await readinessFailures(deps);
    const failed = Object.keys(failures);
    if (failed.length === 0) {
      return c.json({ status: "ready", controlsVersion: deps.controls.current().version });
    }
    return problemResponse({
      type: kitProblems.dependencyUnavailable,
      title: "Not ready",
      status: 503,
      detail: failed.map((name) => `${name}: ${failures[name]}`).join("; "),
      extensions: { failed, checks: failures },
    });
  });
}
