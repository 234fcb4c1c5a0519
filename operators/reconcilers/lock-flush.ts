/**
 * @module The LockFlush reconciler: a one-shot that deletes the Redis keys matching its
 * pattern — SCAN in batches, UNLINK each batch, stop at maxKeys — and records the count, a
 * sample and the completion time. Patterns outside the allow-list fail without touching
 * Redis. `dryRun` counts without deleting.
 *
 * It never runs twice: the status is the record. Before the first SCAN the run is claimed
 * by writing `startedAt` with a compare-and-swap on the resourceVersion, so two operators
 * (or a stale cache) cannot both start it. Progress is written after every batch. If the
 * operator dies mid-flush, the next reconcile finds `startedAt` without `completedAt` and
 * does NOT resume: it marks the flush Failed ("interrupted"), recording the keys counted so
 * far (at most one batch, `batchSize` keys, may have been deleted after the last progress
 * write). Re-flushing automatically could release locks that live purchases took after the
 * interruption; a human decides, by applying a new LockFlush. A Redis error mid-flush ends
 * it the same way; a Redis that is down before the claim only delays it.
 */
import type { Redis } from "ioredis";
import type { z } from "zod";
import { lockFlush } from "../crds/index";
import type { ReconcileResult, Reconciler } from "../runtime/controller";
import type { ControlObject } from "../runtime/resource";
import { commitStatus } from "../runtime/status";
import type { ReconcilerContext } from "./context";
import { oneShotStatus, runnableSpec } from "./one-shot-status";

/** The spec with its defaults, read with the kind's schema. */
type LockFlushSpec = z.infer<typeof lockFlush.fullSpec>;

export interface LockFlushDependencies extends ReconcilerContext {
  /** Patterns must start with one of these literal prefixes (each `lock:...:`). */
  readonly allowedPrefixes: readonly string[];
  /** The Redis client for a target name, or undefined when none is configured. */
  readonly redis: (name: string) => Redis | undefined;
}

const sampleSize = 20;

/** Why `pattern` is refused, or undefined when it is inside the allow-list. */
export function refusal(pattern: string, allowedPrefixes: readonly string[]): string | undefined {
  const prefix = allowedPrefixes.find((allowed) => pattern.startsWith(allowed));
  if (!prefix) {
    return `pattern ${pattern} is outside the allow-list (${allowedPrefixes.join(", ")}): refusing to flush`;
  }
  if (pattern.length === prefix.length)
    return `pattern ${pattern} matches nothing after its prefix`;
  return undefined;
}

export function lockFlushReconciler(deps: LockFlushDependencies): Reconciler {
  const writes = oneShotStatus(deps, "pattern");
  const { status, finish } = writes;

  async function flush(
    object: ControlObject,
    redis: Redis,
    spec: LockFlushSpec,
  ): Promise<ReconcileResult> {
    // A Redis that is down before anything started only delays the flush (retried with backoff).
    await redis.ping();
    // Claim the run: only one writer can move this exact resourceVersion forward.
    let current = await commitStatus(
      deps.client,
      deps.events,
      object,
      status(
        object,
        { phase: "Pending", startedAt: deps.now().toISOString(), keysFlushed: 0 },
        false,
        "Flushing",
        `flushing ${spec.pattern}`,
      ),
      { ifUnchanged: true },
    );
    let flushed = 0;
    const sample: string[] = [];
    let cursor = "0";
    try {
      do {
        const [next, keys] = await redis.scan(
          cursor,
          "MATCH",
          spec.pattern,
          "COUNT",
          spec.batchSize,
        );
        cursor = next;
        const batch = keys.slice(0, spec.maxKeys - flushed);
        if (batch.length > 0 && !spec.dryRun) await redis.unlink(...batch);
        flushed += batch.length;
        sample.push(...batch.slice(0, sampleSize - sample.length));
        if (batch.length > 0 && !spec.dryRun) {
          current = await deps.client.writeStatus(current, {
            ...current.status,
            keysFlushed: flushed,
            sample,
          });
        }
      } while (cursor !== "0" && flushed < spec.maxKeys);
    } catch (error) {
      // Started and then broken off: like an interruption, it is not re-run automatically.
      return finish(
        current,
        "Failed",
        "FlushBrokenOff",
        `broken off after ${flushed} keys: ${(error as Error).message}; not re-run: apply a new LockFlush if stuck keys remain`,
        { keysFlushed: flushed, sample },
      );
    }
    const limitReached = flushed >= spec.maxKeys && cursor !== "0";
    const verb = spec.dryRun ? "dry run: would flush" : "flushed";
    const message = `${verb} ${flushed} keys matching ${spec.pattern}${limitReached ? ` (stopped at maxKeys ${spec.maxKeys})` : ""}`;
    deps.log.info(
      { pattern: spec.pattern, flushed, dryRun: spec.dryRun, name: object.metadata.name },
      message,
    );
    return finish(current, "Completed", spec.dryRun ? "DryRun" : "Flushed", message, {
      keysFlushed: flushed,
      sample,
      limitReached,
    });
  }

  return {
    kind: "LockFlush",
    async reconcile(object) {
      const previous = object.status ?? {};
      if (previous.completedAt) return {}; // The record says it ran; never again.
      if (previous.startedAt) {
        const counted =
          lockFlush.status.shape.keysFlushed.safeParse(previous.keysFlushed).data ?? 0;
        return finish(
          object,
          "Failed",
          "Interrupted",
          `interrupted after ${counted} keys were flushed (up to one more batch may have been deleted unrecorded); not resumed, so locks taken since are safe: apply a new LockFlush if stuck keys remain`,
        );
      }
      const spec = await runnableSpec(deps, writes, object, lockFlush.fullSpec);
      if (spec === undefined) return {};
      const refused = refusal(spec.pattern, deps.allowedPrefixes);
      if (refused) return finish(object, "Failed", "PatternNotAllowed", refused);
      const target = spec.redis;
      const redis = deps.redis(target);
      if (!redis)
        return finish(
          object,
          "Failed",
          "UnknownRedis",
          `no Redis named ${target} (targets file redis: or REDIS_URL for default)`,
        );
      return flush(object, redis, spec);
    },
  };
}
