/**
 * @module Telling a dependency outage (PostgreSQL or Redis unreachable, a connection dropped,
 * the server refusing connections) from a bug, and the one answer to it: 503
 * `dependency/unavailable` with Retry-After — retry later — rather than a 500. The kit's error
 * handler applies it to whatever a route throws, so services never map outages themselves.
 */
import { kitProblems, type ProblemError, problem } from "./problem";

const outageCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, too many connections.
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);
const outageMessages =
  /Connection terminated|Connection ended|timeout exceeded when trying to connect|connection error|not queryable|Connection is closed|Client was closed|max retries per request/i;

/** Seconds a client should wait before retrying after an outage. */
export const outageRetryAfterSeconds = 2;

/** True when `error` says a dependency is unreachable rather than that the request is wrong. */
export function isDependencyOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  // Class 08 is every PostgreSQL connection exception.
  if (typeof code === "string" && (outageCodes.has(code) || code.startsWith("08"))) return true;
  return outageMessages.test(error.message);
}

/** The 503 `dependency/unavailable` problem (with Retry-After) for a request hit by an outage. */
export function dependencyUnavailable(requestId?: string): ProblemError {
  return problem({
    type: kitProblems.dependencyUnavailable,
    title: "A dependency is unavailable",
    status: 503,
    detail: "the request could not complete because a backing service is unreachable; retry later",
    extensions: requestId === undefined ? {} : { requestId },
    headers: { "retry-after": String(outageRetryAfterSeconds) },
  });
}
