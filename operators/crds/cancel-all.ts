/**
 * @module The CancelAll kind: a one-shot that cancels every open order on a trading symbol
 * and releases what they held (the runbook's emergency `CancelAll(symbol)`), and records how
 * many orders it cancelled.
 */
import { z } from "@hono/zod-openapi";
import { printerColumns } from "./common";
import { defineControlKind } from "./kind";
import { timestamp } from "./schema";

export const cancelAll = defineControlKind({
  kind: "CancelAll",
  plural: "cancelalls",
  singular: "cancelall",
  shortNames: ["ca"],
  description:
    "Cancels every open order on a trading symbol once, releasing each order's hold, and " +
    "records how many it cancelled. Orders placed afterwards are untouched: pair it with a " +
    "SymbolMode (CANCEL_ONLY or SOFT_HALT) to keep the book empty. Refused while the symbol " +
    "is in HARD_HALT, which freezes the book. The spec is immutable; create a new CancelAll " +
    "to cancel again.",
  oneShot: true,
  fields: {
    symbol: z
      .string()
      .max(32)
      .regex(/^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$/)
      .meta({ description: "The symbol, BASE-QUOTE, e.g. BTC-USD." }),
  },
  statusFields: {
    ordersCancelled: z
      .int()
      .min(0)
      .optional()
      .meta({ description: "Open orders cancelled (their holds released)." }),
    engineSeq: z
      .string()
      .max(20)
      .optional()
      .meta({ description: "The engine log seq of the cancel-all command, for the audit." }),
    startedAt: timestamp("When the operator first asked the exchange to cancel.").optional(),
  },
  columns: printerColumns(".spec.symbol", [
    {
      name: "Cancelled",
      type: "integer",
      jsonPath: ".status.ordersCancelled",
      description: "Orders cancelled.",
    },
  ]),
});
