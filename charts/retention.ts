/**
 * @module Converts the environments' retention notation (`7d`, `8w`, `3m`, `forever`) to the
 * milliseconds Kafka's `retention.ms` expects.
 */

const dayMs = 24 * 60 * 60 * 1000;
const unitDays: Record<string, number> = { d: 1, w: 7, m: 30 };

/**
 * `retention.ms` for a retention; `forever` is `-1` (Kafka keeps everything).
 * @example retentionMs("7d") // "604800000"
 */
export function retentionMs(retention: string): string {
  if (retention === "forever") return "-1";
  const match = /^([1-9][0-9]*)([dwm])$/.exec(retention);
  if (!match) throw new Error(`retention: expected like 7d, 8w, 3m or forever, found ${retention}`);
  return String(Number(match[1]) * unitDays[match[2]!]! * dayMs);
}

/** The retention as days (months count as 30 days), for comparing a restore time to it. */
export function retentionDays(retention: string): number {
  const match = /^([1-9][0-9]*)([dwm])$/.exec(retention);
  if (!match) throw new Error(`retention: expected like 30d, 8w or 3m, found ${retention}`);
  return Number(match[1]) * unitDays[match[2]!]!;
}
