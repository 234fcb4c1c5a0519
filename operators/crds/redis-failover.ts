/**
 * @module The RedisFailover kind: the handbook's "fall back to the secondary Redis cluster by
 * flipping `REDIS_SECONDARY`" as a control. While it exists every replica of the services in
 * scope sends all its Redis traffic (locks, rate and throttle counters, control propagation)
 * to its secondary Redis, without a restart; deleting it moves them back to the primary.
 */
import { z } from "@hono/zod-openapi";
import { printerColumns, serviceNameList } from "./common";
import { defineControlKind } from "./kind";

/** Which of a service's two Redis servers a replica uses. */
export const redisEndpoints = ["primary", "secondary"] as const;

export const redisFailover = defineControlKind({
  kind: "RedisFailover",
  plural: "redisfailovers",
  singular: "redisfailover",
  shortNames: ["rf"],
  description:
    "Moves the services in scope to their secondary Redis (REDIS_SECONDARY) while it exists: " +
    "every replica sends its locks, counters and control announcements there without a " +
    "restart, so a primary Redis outage does not take them down. A service without " +
    "REDIS_SECONDARY refuses it (condition Ready=False, reason PreconditionFailed). Delete it " +
    "to return to the primary.",
  oneShot: false,
  fields: {
    services: serviceNameList(
      "The services that move to their secondary Redis (names from the operator's targets file); at least one.",
    ),
  },
  statusFields: {
    replicas: z
      .array(
        z
          .object({
            service: z.string().max(253).meta({ description: "The service name." }),
            id: z.string().max(253).meta({ description: "The replica id." }),
            version: z.int().min(0).meta({
              description: "The control version the replica holds.",
              format: "int64",
            }),
            redis: z.enum(redisEndpoints).optional().meta({
              description: "The Redis the replica uses now: primary or secondary.",
            }),
          })
          .meta({ description: "One live replica and the Redis it uses." }),
      )
      .max(256)
      .optional()
      .meta({ description: "Each live replica in scope and the Redis it uses now." }),
  },
  columns: printerColumns(".status.target"),
  targets: (spec) => spec.services.map((service) => ({ service })),
  rank: () => 1,
});
