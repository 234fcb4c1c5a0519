/**
 * @module The SettlementReplay kind: a one-shot that settles the exchange's trades again
 * from an offset of `exchange.trades` (seed 002 §3.1 "replay settlement from last good offset
 * using idempotency keys", §3.6 "replay settlement from Kafka" after a restore), and records
 * what it read, what was already settled and what it posted.
 */
import { z } from "@hono/zod-openapi";
import { printerColumns } from "./common";
import { defineControlKind } from "./kind";
import { timestamp } from "./schema";
import { symbolField } from "./symbol-scope";

const count = (description: string) => z.int().min(0).optional().meta({ description });

export const settlementReplay = defineControlKind({
  kind: "SettlementReplay",
  plural: "settlementreplays",
  singular: "settlementreplay",
  shortNames: ["sr"],
  description:
    "Settles every trade of exchange.trades again once, from fromOffset up to each " +
    "partition's end when the replay starts: trades already on the ledger are left as they " +
    "are (each is keyed by symbol and seq), missing ones are posted. Safe to repeat. The " +
    "spec is immutable; create a new SettlementReplay to replay again.",
  oneShot: true,
  fields: {
    fromOffset: z
      .int()
      .min(0)
      .meta({
        description:
          "The first offset to settle again, in every partition replayed (0: from the start; " +
          "a partition whose earliest offset is later starts there).",
      }),
    partition: z
      .int()
      .min(0)
      .max(99_999)
      .optional()
      .meta({ description: "Only this partition of exchange.trades. Default: every partition." }),
    symbol: symbolField
      .optional()
      .meta({ description: "Only this symbol's trades, BASE-QUOTE. Default: every symbol." }),
  },
  statusFields: {
    recordsRead: count("Trades read in the offsets replayed (of the symbol, if one is named)."),
    alreadySettled: count("Trades that were on the ledger already: left as they were."),
    newlyPosted: count("Trades that were missing from the ledger and are posted now."),
    conflicts: count(
      "Trades whose seq the ledger holds for a different trade: refused and counted in " +
        "invariant_violation_total (split brain).",
    ),
    startedAt: timestamp("When the operator first asked the exchange to replay.").optional(),
    finishedAt: timestamp("When the exchange finished the replay.").optional(),
  },
  columns: printerColumns(".status.target", [
    {
      name: "Posted",
      type: "integer",
      jsonPath: ".status.newlyPosted",
      description: "Trades newly posted.",
    },
    {
      name: "Settled",
      type: "integer",
      jsonPath: ".status.alreadySettled",
      description: "Trades already settled.",
    },
  ]),
});
