/**
 * @module The LockFlush kind: a one-shot that deletes stuck Redis locks matching a pattern
 * (the runbook's `redis-cli DEL "lock:purchase:*"`, done safely: SCAN + UNLINK in batches,
 * an allow-list of prefixes, a key limit, and a record of what was flushed).
 */
import { type ControlKindDefinition, printerColumns } from "./common";
import { array, integer, string, timestamp } from "./schema";

export const lockFlush: ControlKindDefinition = {
  kind: "LockFlush",
  plural: "lockflushes",
  singular: "lockflush",
  shortNames: ["lf"],
  description:
    "Deletes the Redis keys matching a lock pattern once, in batches, up to maxKeys, and " +
    "records how many it flushed. The spec is immutable; create a new LockFlush to flush again.",
  oneShot: true,
  specFields: {
    pattern: string(
      "A Redis glob under an allowed lock prefix, e.g. lock:purchase:*. The operator refuses " +
        "(phase Failed) patterns outside its allow-list.",
      {
        minLength: 6,
        maxLength: 256,
        rules: [
          {
            rule: "self.startsWith('lock:') && !self.contains(' ')",
            message: "pattern must be a lock key glob starting with lock: (e.g. lock:purchase:*)",
          },
        ],
      },
    ),
    maxKeys: integer("Stop after deleting this many keys. Default 1000.", {
      minimum: 1,
      maximum: 1_000_000,
      default: 1000,
    }),
    batchSize: integer("Keys per SCAN COUNT and per UNLINK. Default 100.", {
      minimum: 1,
      maximum: 10_000,
      default: 100,
    }),
    redis: string(
      "Which Redis to flush: a name from the operator's targets file. Default: default " +
        "(the operator's REDIS_URL).",
      { maxLength: 63, default: "default", pattern: "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$" },
    ),
  },
  specRequired: ["pattern"],
  statusFields: {
    keysFlushed: integer("Keys deleted (dry run: keys that matched and would be deleted).", {
      minimum: 0,
    }),
    limitReached: { type: "boolean", description: "Whether it stopped at maxKeys." },
    sample: array("Up to 20 of the keys flushed.", string("A key.", { maxLength: 1024 }), 20),
    startedAt: timestamp(
      "When the flush started. A flush that has startedAt and no completedAt was " +
        "interrupted; it is not run again (see message).",
    ),
  },
  columns: printerColumns(".spec.pattern", [
    { name: "Flushed", type: "integer", jsonPath: ".status.keysFlushed", description: "Keys." },
  ]),
};
