/**
 * @module Settling a run of Kafka messages from `exchange.trades`: parse every message, post
 * the trades in one transaction, then record lag and outcomes. Used by the consumer and by
 * a replay alike, so both settle exactly the same way.
 */
import type { KafkaMessage } from "kafkajs";
import type { Pool } from "../../kit/db";
import type { Logger } from "../../kit/logger";
import { type SettledTrade, settleTrades } from "./settle-trades";
import type { SettlementMetrics } from "./settlement-metrics";
import { InvalidTradeError, parseTradeExecuted, type TradeExecuted } from "./trade-executed";

export interface SettlementContext {
  readonly pool: Pool;
  readonly logger: Logger;
  readonly metrics: SettlementMetrics;
}

/** What a settlement consumer was handed that it must not skip: the partition stops here. */
export class SettlementStalledError extends Error {
  constructor(
    readonly reason: "invalid_event" | "ledger_refused" | "database",
    readonly offset: string,
    cause: unknown,
  ) {
    super(`settlement stopped at offset ${offset} (${reason}): ${(cause as Error).message}`, {
      cause,
    });
    this.name = "SettlementStalledError";
  }
}

/**
 * Settle `messages` (in offset order). Resolves with the outcomes once committed; throws
 * {@link SettlementStalledError} when a message cannot be settled, after counting it.
 */
export async function settleMessages(
  context: SettlementContext,
  messages: readonly KafkaMessage[],
): Promise<SettledTrade[]> {
  const trades = messages.map((message) => parseMessage(context, message));
  let settled: SettledTrade[];
  try {
    settled = await settleTrades(context.pool, trades);
  } catch (error) {
    const reason = (error as { code?: string }).code === undefined ? "ledger_refused" : "database";
    context.metrics.failures.inc({ reason });
    throw new SettlementStalledError(reason, messages[0]?.offset ?? "?", error);
  }
  recordOutcomes(context, settled, Date.now());
  return settled;
}

function parseMessage(context: SettlementContext, message: KafkaMessage): TradeExecuted {
  try {
    return parseTradeExecuted(JSON.parse(message.value?.toString() ?? "null"));
  } catch (error) {
    context.metrics.failures.inc({ reason: "invalid_event" });
    const cause = error instanceof InvalidTradeError ? error : new InvalidTradeError(String(error));
    throw new SettlementStalledError("invalid_event", message.offset, cause);
  }
}

function recordOutcomes(
  context: SettlementContext,
  settled: readonly SettledTrade[],
  committedMs: number,
): void {
  for (const { trade, outcome } of settled) {
    context.metrics.trades.inc({ symbol: trade.symbol, outcome });
    if (outcome === "conflict") {
      context.metrics.invariantViolations.inc({
        asset: "",
        symbol: trade.symbol,
        kind: "duplicate_seq",
      });
      context.logger.error(
        { symbol: trade.symbol, seq: trade.seq.toString() },
        "two different trades carry one seq: the posted one stands, this one is not settled",
      );
      continue;
    }
    context.metrics.settledSeq.set({ symbol: trade.symbol }, Number(trade.seq));
    // A replayed trade settled long ago: its age is no settlement lag.
    if (outcome !== "posted") continue;
    const lagSeconds = (committedMs - Date.parse(trade.executedAt)) / 1000;
    context.metrics.lag.observe({ symbol: trade.symbol }, Math.max(0, lagSeconds));
  }
}
