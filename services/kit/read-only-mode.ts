/**
 * @module Read-only mode (the ReadOnlyMode control): while one names this service, every write
 * is refused with 503 `service/read-only` naming the control and its ticket, and reads — the
 * routes' own, the controls' reload and the readiness check — go to the read replica
 * (`DB_READONLY_ENDPOINT`) when one is configured, so a primary outage leaves reads up. Lifting
 * the control returns everything to the primary on the next request. Each replica decides from
 * the controls it holds in memory; nothing is restarted.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";
import { refuse } from "./controls";
import type { Control, ControlSet } from "./controls-store";
import type { Pool } from "./db";

export const readOnlyKind = "ReadOnlyMode";

/** Slug of the refusal of a write in read-only mode. */
export const readOnlyProblem = "service/read-only";

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/** The ReadOnlyMode control of `controls` that names `service`, if one is active. */
export function readOnlyControl(
  controls: readonly Control[],
  service: string,
  nowMs = Date.now(),
): Control | undefined {
  return controls.find(
    (control) =>
      control.kind === readOnlyKind &&
      (control.expiresAt === null || Date.parse(control.expiresAt) > nowMs) &&
      ((control.spec as { services?: string[] }).services ?? []).includes(service),
  );
}

export interface ReadRouting {
  /** The pool reads should use now: the replica in read-only mode (when configured), else the primary. */
  readPool(): Pool;
  /** Where the controls themselves are loaded from, given the set the replica holds. */
  controlsPool(held: ControlSet | undefined): Pool;
}

/**
 * Route reads for `service`. `held` gives the controls the replica holds now (an empty list
 * when it holds none yet, so reads start on the primary).
 */
export function createReadRouting(
  service: string,
  primary: Pool,
  replica: Pool | undefined,
  held: () => readonly Control[],
): ReadRouting {
  const onReplica = (controls: readonly Control[]) =>
    replica !== undefined && readOnlyControl(controls, service) !== undefined;
  return {
    readPool: () => (replica && onReplica(held()) ? replica : primary),
    controlsPool: (set) => (replica && set && onReplica(set.controls) ? replica : primary),
  };
}

/**
 * Refuse writes (any method but GET, HEAD and OPTIONS) while a ReadOnlyMode control names
 * `service`. The admin API is exempt: lifting the control is itself a write, and the
 * operator must still reach the service.
 */
export function refuseWritesWhenReadOnly(
  service: string,
  held: () => readonly Control[],
): MiddlewareHandler<AppEnv> {
  return async function readOnlyMiddleware(c, next) {
    if (safeMethods.has(c.req.method) || c.req.path.startsWith("/admin/")) return next();
    const control = readOnlyControl(held(), service);
    if (control) {
      throw refuse(control, readOnlyProblem, "The service is in read-only mode", 503, {
        "retry-after": "30",
      });
    }
    return next();
  };
}
