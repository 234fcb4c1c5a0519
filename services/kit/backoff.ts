/** @module Exponential backoff with a ceiling, for retries that must not hammer a dependency. */

/**
 * Delay before retry number `retryCount` (1 = first retry): `baseMs * 2^(retryCount-1)`,
 * capped at `maxMs`. @default baseMs 500, maxMs 60000
 */
export function backoffMs(retryCount: number, baseMs = 500, maxMs = 60_000): number {
  if (retryCount <= 0) return 0;
  return Math.min(maxMs, baseMs * 2 ** Math.min(retryCount - 1, 30));
}
