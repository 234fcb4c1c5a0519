/**
 * @module Telling a dependency outage (PostgreSQL or Redis unreachable, a connection dropped)
 * from a bug, so the caller gets 503 with Retry-After — retry later — rather than a 500.
 */

const outageCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "57P01",
  "57P02",
  "57P03",
]);
const outageMessages =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|Client was closed|max retries per request/i;

/** True when `error` says a dependency is unreachable rather than that the request is wrong. */
export function isDependencyOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (outageCodes.has(code) || code.startsWith("08"))) return true;
  return outageMessages.test(error.message);
}
