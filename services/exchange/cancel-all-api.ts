/**
 * @module `POST /admin/v1/symbols/{symbol}/cancel-all`: the CancelAll control's action (seed
 * 002's emergency `CancelAll(symbol)`). The symbol's sequencer cancels every open order in one
 * logged command, releasing each hold in the same transaction as every cancel does. The
 * reference (the control's uid) makes a repeat answer the first run instead of cancelling
 * orders placed since, so the operator may retry after any failure.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { adminAuth } from "../kit/admin-auth";
import type { ServiceApp } from "../kit/app-env";
import type { Pool } from "../kit/db";
import { oneShotRequestSchema } from "../kit/one-shot-request";
import { problemResponses } from "../kit/problem-schema";
import type { ExchangeContext } from "./exchange-context";
import { asExchangeProblem, unknownSymbol } from "./problems";
import { requireCancel } from "./symbol-mode-gate";

const symbolParam = z.object({
  symbol: z
    .string()
    .max(32)
    .openapi({ param: { name: "symbol", in: "path" }, example: "BTC-USD" }),
});

const cancelAllResult = z.object({
  symbol: z.string(),
  reference: z.string(),
  ordersCancelled: z.int().min(0).openapi({ description: "Open orders the run cancelled." }),
  seq: z.string().openapi({ description: "The engine log seq of the cancel-all command." }),
  repeated: z.boolean().openapi({ description: "Whether this answers an earlier run." }),
});

const cancelAllRoute = createRoute({
  method: "post",
  path: "/admin/v1/symbols/{symbol}/cancel-all",
  summary: "Cancel every open order on a symbol and release their holds (admin token)",
  security: [{ adminBearer: [] }],
  request: {
    params: symbolParam,
    body: { content: { "application/json": { schema: oneShotRequestSchema } }, required: true },
  },
  responses: {
    200: {
      description: "Cancelled (or cancelled before under this reference)",
      content: { "application/json": { schema: cancelAllResult } },
    },
    ...problemResponses(400, 401, 404, 422, 423, 503),
  },
});

/** The earlier run under `reference`: its command seq and the orders it cancelled. */
async function earlierRun(pool: Pool, symbol: string, reference: string) {
  const found = await pool.query<{ seq: string; cancelled: number }>(
    `SELECT command.seq::text AS seq,
            (SELECT count(*)::int FROM exchange_engine_log event
              WHERE event.symbol = command.symbol AND event.seq > command.seq
                AND event.kind = 'OrderCancelled'
                AND event.seq < coalesce((SELECT min(next.seq) FROM exchange_engine_log next
                  WHERE next.symbol = command.symbol AND next.seq > command.seq
                    AND next.kind LIKE 'command:%'), 9223372036854775807)) AS cancelled
       FROM exchange_engine_log command
      WHERE command.symbol = $1 AND command.kind = 'command:cancel-all'
        AND command.payload->>'control' = $2
      ORDER BY command.seq LIMIT 1`,
    [symbol, reference],
  );
  return found.rows[0];
}

export function mountCancelAllApi(app: ServiceApp, context: ExchangeContext): void {
  const { config, controls, pool, logger } = context.service;
  app.on(["POST"], "/admin/v1/symbols/:symbol/cancel-all", adminAuth(config.ADMIN_TOKEN));

  app.openapi(cancelAllRoute, async function cancelAll(c) {
    const { symbol } = c.req.valid("param");
    const body = c.req.valid("json");
    const sequencer = context.markets.sequencer(symbol);
    if (sequencer === undefined) throw unknownSymbol(symbol);
    const answer = (seq: string, ordersCancelled: number, repeated: boolean) =>
      c.json({ symbol, reference: body.reference, ordersCancelled, seq, repeated }, 200);
    const earlier = await earlierRun(pool, symbol, body.reference);
    if (earlier !== undefined) return answer(earlier.seq, earlier.cancelled, true);
    // HARD_HALT freezes the book for forensics: no cancel, this one included.
    requireCancel(controls, symbol);
    const result = await sequencer
      .submit({ type: "cancel-all", control: body.reference })
      .catch((error) => {
        throw asExchangeProblem(error);
      });
    const cancelled = result.events.filter(({ event }) => event.type === "OrderCancelled");
    logger.info(
      { symbol, ...body, ordersCancelled: cancelled.length, seq: result.seq.toString() },
      "cancel-all",
    );
    return answer(result.seq.toString(), cancelled.length, false);
  });
}
