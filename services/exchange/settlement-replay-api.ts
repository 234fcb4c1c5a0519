/**
 * @module `POST /admin/v1/settlement/replays`: the SettlementReplay control's action (seed
 * 002 §3.1 and §3.6, "replay settlement from Kafka"). It runs the replay that
 * `npm run settlement -- replay` runs (settlement/settlement-replay.ts): every trade from the
 * offset up to each partition's end is settled again, trades on the ledger already are
 * no-ops, missing ones are posted. The reference (the control's uid) makes a repeat answer
 * the first run; two runs at once are harmless too, since the replay itself is.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { settlementReplay } from "../../operators/crds/index";
import { adminAuth } from "../kit/admin-auth";
import type { ServiceApp } from "../kit/app-env";
import type { Pool } from "../kit/db";
import { dependencyUnavailable } from "../kit/dependency-error";
import { oneShotRequestFields } from "../kit/one-shot-request";
import { problemResponses } from "../kit/problem-schema";
import type { ExchangeContext } from "./exchange-context";
import type { ReplayResult } from "./settlement/settlement-replay";

// The kind's own fields, from its one definition, and the run's reference and audit fields.
const replayBody = z.object({ ...settlementReplay.spec.shape, ...oneShotRequestFields });

const replayAnswer = z.object({
  reference: z.string(),
  recordsRead: z.int().min(0).openapi({ description: "Trades read in the offsets replayed." }),
  alreadySettled: z.int().min(0).openapi({ description: "Trades on the ledger already." }),
  newlyPosted: z.int().min(0).openapi({ description: "Trades posted by this replay." }),
  conflicts: z.int().min(0).openapi({ description: "Trades refused: their seq is taken." }),
  partitions: z.array(
    z.object({ partition: z.int(), fromOffset: z.string(), toOffset: z.string() }),
  ),
  startedAt: z.string(),
  finishedAt: z.string(),
  repeated: z.boolean().openapi({ description: "Whether this answers an earlier run." }),
});

type ReplayAnswer = z.infer<typeof replayAnswer>;

const replayRoute = createRoute({
  method: "post",
  path: "/admin/v1/settlement/replays",
  summary: "Settle the trades of exchange.trades again from an offset (admin token)",
  security: [{ adminBearer: [] }],
  request: {
    body: { content: { "application/json": { schema: replayBody } }, required: true },
  },
  responses: {
    200: {
      description: "Replayed (or replayed before under this reference)",
      content: { "application/json": { schema: replayAnswer } },
    },
    ...problemResponses(400, 401, 422, 503),
  },
});

interface ReplayRow {
  reference: string;
  records_read: number;
  already_settled: number;
  newly_posted: number;
  conflicts: number;
  partitions: ReplayResult["partitions"];
  started_at: Date;
  finished_at: Date;
}

function answerOf(row: ReplayRow, repeated: boolean): ReplayAnswer {
  return {
    reference: row.reference,
    recordsRead: row.records_read,
    alreadySettled: row.already_settled,
    newlyPosted: row.newly_posted,
    conflicts: row.conflicts,
    partitions: [...row.partitions],
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at.toISOString(),
    repeated,
  };
}

async function earlierRun(pool: Pool, reference: string): Promise<ReplayRow | undefined> {
  const found = await pool.query<ReplayRow>(
    "SELECT * FROM exchange_settlement_replays WHERE reference = $1",
    [reference],
  );
  return found.rows[0];
}

/** Records a finished run; of two runs under one reference the first recorded is the answer. */
async function recordRun(
  pool: Pool,
  body: z.infer<typeof replayBody>,
  result: ReplayResult,
  startedAt: Date,
): Promise<ReplayRow> {
  const { reference, actor, reason, ticket, fromOffset, partition, symbol } = body;
  await pool.query(
    `INSERT INTO exchange_settlement_replays (reference, request, actor, reason, ticket,
       records_read, already_settled, newly_posted, conflicts, partitions, started_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
     ON CONFLICT (reference) DO NOTHING`,
    [
      reference,
      JSON.stringify({ fromOffset, partition, symbol }),
      actor,
      reason,
      ticket,
      result.posted + result.duplicates + result.conflicts,
      result.duplicates,
      result.posted,
      result.conflicts,
      JSON.stringify(result.partitions),
      startedAt,
    ],
  );
  return (await earlierRun(pool, reference)) as ReplayRow;
}

export function mountSettlementReplayApi(app: ServiceApp, context: ExchangeContext): void {
  const { config, pool, logger } = context.service;
  app.on(["POST"], "/admin/v1/settlement/replays", adminAuth(config.ADMIN_TOKEN));

  app.openapi(replayRoute, async function replaySettlementRun(c) {
    const body = c.req.valid("json");
    const earlier = await earlierRun(pool, body.reference);
    if (earlier !== undefined) return c.json(answerOf(earlier, true), 200);
    const startedAt = new Date();
    const result = await context.settlement
      .replay({
        fromOffset: String(body.fromOffset),
        partition: body.partition,
        symbol: body.symbol,
      })
      .catch((error: unknown) => {
        // Kafka away or the run cut short: nothing was lost, the operator asks again.
        logger.warn({ err: error, reference: body.reference }, "settlement replay not finished");
        throw dependencyUnavailable();
      });
    const row = await recordRun(pool, body, result, startedAt);
    logger.info(
      { ...body, newlyPosted: result.posted, alreadySettled: result.duplicates },
      "settlement replayed",
    );
    return c.json(answerOf(row, row.started_at.getTime() !== startedAt.getTime()), 200);
  });
}
