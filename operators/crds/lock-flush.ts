/**
 * @module The LockFlush kind: a one-shot that deletes stuck Redis locks matching a pattern
 * (the runbook's `redis-cli DEL "lock:purchase:*"`, done safely: SCAN + UNLINK in batches,
 * an allow-list of prefixes, a key limit, and a record of what was flushed).
 */
import { z } from "@hono/zod-openapi";
import { printerColumns } from "./common";
import { defineControlKind } from "./kind";
import { celRules, timestamp } from "./schema";

export const lockFlush = defineControlKind({
  kind: "LockFlush",
  plural: "lockflushes",
  singular: "lockflush",
  shortNames: ["lf"],
  description:
    "Deletes the Redis keys matching a lock pattern once, in batches, up to maxKeys, and " +
    "records how many it flushed. The spec is immutable; create a new LockFlush to flush again.",
  oneShot: true,
  fields: {
    pattern: celRules(
      z
        .string()
        .min(6)
        .max(256)
        .meta({
          description:
            "A Redis glob under an allowed lock prefix, e.g. lock:purchase:*. The operator " +
            "refuses (phase Failed) patterns outside its allow-list.",
        }),
      [
        {
          rule: "self.startsWith('lock:') && !self.contains(' ')",
          message: "pattern must be a lock key glob starting with lock: (e.g. lock:purchase:*)",
        },
      ],
    ),
    maxKeys: z
      .int()
      .min(1)
      .max(1_000_000)
      .default(1000)
      .meta({ description: "Stop after deleting this many keys. Default 1000." }),
    batchSize: z
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .meta({ description: "Keys per SCAN COUNT and per UNLINK. Default 100." }),
    redis: z
      .string()
      .max(63)
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/)
      .default("default")
      .meta({
        description:
          "Which Redis to flush: a name from the operator's targets file. Default: default " +
          "(the operator's REDIS_URL).",
      }),
  },
  statusFields: {
    keysFlushed: z
      .int()
      .min(0)
      .optional()
      .meta({ description: "Keys deleted (dry run: keys that matched and would be deleted)." }),
    limitReached: z.boolean().optional().meta({ description: "Whether it stopped at maxKeys." }),
    sample: z
      .array(z.string().max(1024).meta({ description: "A key." }))
      .max(20)
      .optional()
      .meta({ description: "Up to 20 of the keys flushed." }),
    startedAt: timestamp(
      "When the flush started. A flush that has startedAt and no completedAt was " +
        "interrupted; it is not run again (see message).",
    ).optional(),
  },
  columns: printerColumns(".spec.pattern", [
    { name: "Flushed", type: "integer", jsonPath: ".status.keysFlushed", description: "Keys." },
  ]),
});
