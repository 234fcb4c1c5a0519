/**
 * @module Seed 002's Gate G0, step by step: both sides ready, a WebSocket subscribed to the
 * symbol's trades and candles, a resting order accepted, a crossing order from a second
 * account matched against it, the trade's settlement appended in PostgreSQL, and its
 * `TradeExecuted` and `CandleUpdated` delivered over the edge's `/ws`. Each step says where to
 * look when it fails, as the seed's "Failure handling" does.
 */
import { catalogueSymbol } from "../../services/exchange/symbols";
import type { Pool } from "../../services/kit/db";
import type { ExchangeClient, PlacedOrder } from "./exchange-client";
import type { GateOptions } from "./gate-options";
import { listenToMarket, type MarketListener } from "./market-listener";
import { type SettledTrade, tradePostings, tradeSeqOf } from "./settlement-postings";

/** What the steps share as the run goes on. */
export interface GateRun {
  readonly options: GateOptions;
  readonly exchange: ExchangeClient;
  readonly pool: Pool;
  readonly httpLog: string;
  readonly wsLog: string;
  /** Opened by the market step; closed by the command. */
  market?: MarketListener;
  sequencerUrl?: string;
  resting?: PlacedOrder;
  price?: bigint;
  quantity?: bigint;
  taker?: PlacedOrder;
  trade?: SettledTrade;
}

export interface GateStep {
  readonly name: string;
  /** Where to look when this step fails: a log, a metric, a runbook. */
  lookAt(run: GateRun): string;
  run(run: GateRun): Promise<string>;
}

/** Polls `check` until it answers something, or fails naming `what` after the step timeout. */
async function poll<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A price strictly between the best bid and the best ask, so the smoke's orders meet only each other. */
function freePrice(book: Record<string, unknown>, tick: bigint): bigint {
  const best = (side: string) => {
    const levels = book[side] as { price: string }[] | undefined;
    return levels?.[0] ? BigInt(levels[0].price) : undefined;
  };
  const bid = best("bids");
  const ask = best("asks");
  const wanted =
    bid !== undefined ? bid + tick : ask !== undefined ? ask - tick : 5_000_000n * tick;
  if (wanted <= 0n || (ask !== undefined && wanted >= ask))
    throw new Error(`no free price between the best bid ${bid} and the best ask ${ask}`);
  return wanted;
}

/** GET /health/ready of `url`, or an error naming what it answered. */
async function checkReady(url: string, timeoutMs: number): Promise<void> {
  const answer = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(timeoutMs) });
  if (answer.status !== 200)
    throw new Error(`${url}/health/ready answered ${answer.status}: ${await answer.text()}`);
}

const ready: GateStep = {
  name: "exchange ready",
  lookAt: (run) =>
    `GET /health/ready of each URL names the dependency that is down; the services log to npm start's terminal (BREAKWATER_LOG_LEVEL=info for more); HTTP answers in ${run.httpLog}`,
  async run({ options }) {
    for (const url of options.exchangeUrls) await checkReady(url, options.stepTimeoutMs);
    return `${options.exchangeUrls.length} replicas ready`;
  },
};

const market: GateStep = {
  name: "websocket subscribed",
  lookAt: (run) =>
    `whether the edge runs (${run.options.edgeUrl}/health/ready; it logs to npm start's terminal); ws_market_data_up and ws_connected_clients on its /metrics; what arrived in ${run.wsLog}; runbooks/exchange/ExchangeKafkaOutage.md`,
  async run(run) {
    await checkReady(run.options.edgeUrl, run.options.stepTimeoutMs);
    run.market = await listenToMarket(
      run.options.edgeUrl,
      run.options.symbol,
      run.wsLog,
      run.options.stepTimeoutMs,
    );
    return `trades and candles of ${run.options.symbol}`;
  },
};

const accepted: GateStep = {
  name: "order accepted",
  lookAt: (run) =>
    `the answers in ${run.httpLog}; exchange_engine_leader{symbol="${run.options.symbol}"} on each replica's /metrics (one must lead); runbooks/exchange/ExchangeSplitBrainSuspected.md`,
  async run(run) {
    const spec = catalogueSymbol(run.options.symbol);
    if (!spec) throw new Error(`${run.options.symbol} is not in the exchange's catalogue`);
    const { url, book } = await run.exchange.sequencer();
    run.sequencerUrl = url;
    run.price = freePrice(book, spec.tickSizeMinor);
    run.quantity = spec.lotSizeMinor;
    run.resting = await run.exchange.placeLimit(
      url,
      run.options.seller,
      "sell",
      run.price,
      run.quantity,
    );
    if (run.resting.status !== "open")
      throw new Error(`the sell order is ${run.resting.status}, expected open`);
    return `sell ${run.quantity} @ ${run.price} by ${run.options.seller} open (${run.resting.orderId})`;
  },
};

const matched: GateStep = {
  name: "order matched",
  lookAt: (run) =>
    `the answers in ${run.httpLog}; exchange_orders_total and exchange_engine_seq on ${run.sequencerUrl ?? "the sequencing replica"}/metrics`,
  async run(run) {
    const url = run.sequencerUrl!;
    run.taker = await run.exchange.placeLimit(
      url,
      run.options.buyer,
      "buy",
      run.price!,
      run.quantity!,
    );
    if (run.taker.status !== "filled")
      throw new Error(
        `the crossing buy is ${run.taker.status} (filled ${run.taker.filled} of ${run.taker.quantity}), expected filled`,
      );
    const maker = await run.exchange.order(url, run.options.seller, run.resting!.orderId);
    if (maker.status !== "filled")
      throw new Error(`the resting sell is ${maker.status} after the crossing buy`);
    return `buy by ${run.options.buyer} filled against the sell (${run.taker.orderId})`;
  },
};

const settled: GateStep = {
  name: "settlement appended",
  lookAt: (run) =>
    `psql "$DATABASE_URL" -c "SELECT t.reference, e.account, e.currency, e.amount FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id WHERE t.kind = 'exchange_trade' ORDER BY e.id DESC LIMIT 20" (DATABASE_URL: services.exchange.databaseUrl of .breakwater/platform.json); settlement_consumer_lag and settlement_failures_total on each exchange replica's /metrics; runbooks/exchange/ExchangeSettlementStalled.md`,
  async run(run) {
    const { symbol } = run.options;
    const timeoutMs = run.options.stepTimeoutMs;
    const seq = await poll("TradeExecuted in exchange_engine_log", timeoutMs, () =>
      tradeSeqOf(run.pool, symbol, run.taker!.orderId),
    );
    run.trade = await poll(
      `ledger postings of exchange-trade:${symbol}:${seq}`,
      timeoutMs,
      async () => {
        const trade = await tradePostings(run.pool, symbol, seq);
        return trade.postings.length > 0 ? trade : undefined;
      },
    );
    const sums = new Map<string, bigint>();
    for (const posting of run.trade.postings)
      sums.set(posting.currency, (sums.get(posting.currency) ?? 0n) + BigInt(posting.amount));
    const unbalanced = [...sums].filter(([, sum]) => sum !== 0n);
    if (unbalanced.length > 0)
      throw new Error(
        `${run.trade.reference} does not balance: ${JSON.stringify(unbalanced.map(([c, s]) => `${c} ${s}`))}`,
      );
    const buyerCredited = run.trade.postings.some(
      (posting) =>
        posting.account === `exchange:${run.options.buyer}` &&
        BigInt(posting.amount) === run.quantity,
    );
    if (!buyerCredited)
      throw new Error(
        `${run.trade.reference} does not credit ${run.quantity} to exchange:${run.options.buyer}`,
      );
    return `${run.trade.reference}: ${run.trade.postings.length} postings, balanced`;
  },
};

const tradeDelivered: GateStep = {
  name: "TradeExecuted delivered",
  lookAt: (run) =>
    `what arrived in ${run.wsLog}; ws_market_data_up and ws_outbound_messages_total{channel="trades"} on ${run.options.edgeUrl}/metrics; runbooks/exchange/ExchangeKafkaOutage.md`,
  async run(run) {
    const seq = Number(run.trade!.seq);
    await run.market!.waitFor(
      `TradeExecuted of seq ${seq}`,
      (message) =>
        message.type === "TradeExecuted" &&
        (message.trade as { tradeSeq?: number })?.tradeSeq === seq,
      run.options.stepTimeoutMs,
    );
    return `trade ${seq} on the trades channel`;
  },
};

const candleDelivered: GateStep = {
  name: "CandleUpdated delivered",
  lookAt: (run) =>
    `what arrived in ${run.wsLog}; ws_outbound_messages_total{channel="candles"} and ws_conflated_updates_total on ${run.options.edgeUrl}/metrics; runbooks/exchange/ExchangeKafkaOutage.md`,
  async run(run) {
    const price = run.price!.toString();
    const message = await run.market!.waitFor(
      `CandleUpdated at ${price}`,
      (candidate) =>
        candidate.type === "CandleUpdated" &&
        (candidate.candle as { close?: string })?.close === price,
      run.options.stepTimeoutMs,
    );
    return `${String(message.interval)} candle closing at ${price}`;
  },
};

/** Gate G0 in order; a step runs only when every step before it passed. */
export const gateSteps: readonly GateStep[] = [
  ready,
  market,
  accepted,
  matched,
  settled,
  tradeDelivered,
  candleDelivered,
];
