/**
 * @module Counting the requests PostgreSQL failed (seed 004: "Database Errors: alert if > 5
 * errors/minute") into `escrow_database_errors_total{kind}`: `query` when the server answered
 * with an error, `unavailable` when it could not be reached. Runs after the kit's error
 * handler turned the error into its answer, so the client sees the same problem as before.
 */
import type { MiddlewareHandler } from "hono";
import pg from "pg";
import type { AppEnv } from "../kit/app-env";
import { isDependencyOutage } from "../kit/dependency-error";
import type { EscrowMetrics } from "./escrow-metrics";

/** The kind of database error `error` is, or undefined when it is not one. */
export function databaseErrorKind(error: unknown): "query" | "unavailable" | undefined {
  if (error instanceof pg.DatabaseError) {
    // Class 08 and the shutdown codes are the server going away, not a bad query.
    return isDependencyOutage(error) ? "unavailable" : "query";
  }
  if (!isDependencyOutage(error)) return undefined;
  // A connection to PostgreSQL that failed: pg's messages, not Redis's.
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|timeout exceeded when trying to connect|not queryable/i.test(
    message,
  )
    ? "unavailable"
    : undefined;
}

/** Middleware counting each request that ended on a database error. */
export function countDatabaseErrors(metrics: EscrowMetrics): MiddlewareHandler<AppEnv> {
  return async function databaseErrorCounter(c, next) {
    await next();
    const kind = databaseErrorKind(c.error);
    if (kind !== undefined) metrics.databaseErrors.inc({ kind });
  };
}
