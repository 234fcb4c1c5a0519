/**
 * @module The `/ws` endpoint: upgrades, subscriptions and fan-out. A subscription starts
 * with a snapshot and continues with increments, all carrying one gap-free `seq` per
 * subscription, so a client that sees a gap resubscribes (a repeated subscribe answers with a
 * fresh snapshot). Trades go out as they arrive; book and candle updates are coalesced per
 * connection and sent once per conflation window.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { type WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../kit/logger";
import type { Candle } from "./candles";
import type { EdgeSettings } from "./edge-settings";
import type { PublicTrade } from "./market-events";
import type { MarketState } from "./market-state";
import { type BookView, levelChanges } from "./order-book";
import { EdgeConnection, type Subscription } from "./ws-connection";
import type { WsMetrics } from "./ws-metrics";
import { type ClientMessage, parseClientMessage, subscriptionKey } from "./ws-protocol";

export interface GatewayOptions {
  readonly market: MarketState;
  readonly metrics: WsMetrics;
  readonly logger: Logger;
  readonly queueMaxBytes: number;
  readonly tradesSnapshotSize: number;
  readonly candlesSnapshotSize: number;
  /** The settings in force now (re-read on every flush and operation). */
  readonly settings: () => EdgeSettings;
}

type Subscriber = readonly [EdgeConnection, Subscription];

/** How long closing clients get to answer the close frame on shutdown. */
const shutdownGraceMs = 1_000;

export class WsGateway {
  readonly #server = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  readonly #connections = new Set<EdgeConnection>();
  /** Subscribers by subscription key, so a trade reaches only those who asked. */
  readonly #subscribers = new Map<string, Map<string, Subscriber>>();
  readonly #limiters = new Map<number, RateLimiterMemory>();
  /** The trades stream's last seq per symbol. */
  readonly #tradeSeqs = new Map<string, number>();
  #flushTimer: NodeJS.Timeout | undefined;
  #applied: EdgeSettings;
  #status: Record<string, unknown> | undefined;

  constructor(private readonly options: GatewayOptions) {
    this.#applied = options.settings();
  }

  /** Serve `/ws` on the HTTP server and start the conflation loop. */
  attach(server: Server): void {
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(request.url ?? "/", "http://edge").pathname;
      if (path !== "/ws") {
        socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
        return;
      }
      this.#server.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
    });
    this.#scheduleFlush();
  }

  /** Close every connection (reason SHUTDOWN) and stop. */
  async close(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    for (const connection of this.#connections) connection.close(1001, "SHUTDOWN");
    // Clients answer the close frame at once; whoever has not within a second is cut.
    const deadline = Date.now() + shutdownGraceMs;
    while (this.#connections.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const connection of this.#connections) connection.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** A new trade: to every trades subscriber now; its candles at the next flush. */
  publishTrade(symbol: string, trade: PublicTrade, candles: readonly Candle[]): void {
    // Every subscriber gets every trade, so one sequence per symbol is gap-free for each of
    // them and the message is built once for all.
    const seq = (this.#tradeSeqs.get(symbol) ?? 0) + 1;
    this.#tradeSeqs.set(symbol, seq);
    const data = JSON.stringify({ type: "TradeExecuted", channel: "trades", symbol, seq, trade });
    let queued = 0;
    const subscribers = this.#subscribers.get(`trades:${symbol}`);
    if (subscribers) {
      for (const subscriber of subscribers.values()) {
        if (subscriber[0].sendPrepared(data)) queued += 1;
      }
    }
    if (queued > 0) this.options.metrics.outboundMessages.inc({ channel: "trades" }, queued);
    for (const candle of candles) {
      for (const [, subscription] of this.#subscribersOf(`candles:${candle.interval}:${symbol}`)) {
        const pending = subscription.pendingCandles ?? new Map<string, Candle>();
        if (pending.has(candle.openTime))
          this.options.metrics.conflatedUpdates.inc({ channel: "candles" });
        pending.set(candle.openTime, candle);
        subscription.pendingCandles = pending;
      }
    }
  }

  /** A status message to every connection (market data outage and recovery). */
  broadcastStatus(status: Record<string, unknown>): void {
    // A connection opened during an outage is told at once; after recovery there is nothing to tell.
    this.#status = status.status === "ok" ? undefined : status;
    for (const connection of this.#connections) connection.send("status", status);
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  #accept(ws: WebSocket): void {
    const connection = new EdgeConnection(
      randomUUID(),
      ws,
      this.options.queueMaxBytes,
      this.options.metrics,
    );
    this.#connections.add(connection);
    this.options.metrics.connectedClients.inc();
    ws.on("message", (data, isBinary) => {
      if (isBinary) {
        connection.send("control", {
          type: "error",
          code: "BAD_REQUEST",
          message: "expected text frames",
        });
        return;
      }
      const text = data.toString();
      connection.serially(() => this.#handle(connection, text));
    });
    ws.on("error", () => undefined);
    ws.on("close", () => {
      connection.closedByPeer();
      this.#connections.delete(connection);
      this.options.metrics.connectedClients.dec();
      for (const key of connection.subscriptions.keys())
        this.#subscribers.get(key)?.delete(connection.id);
    });
    if (this.#status) connection.send("status", this.#status);
  }

  async #handle(connection: EdgeConnection, text: string): Promise<void> {
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.options.metrics.subscriptionOps.inc({ op: "unknown", result: "invalid" });
      connection.send("control", {
        type: "error",
        code: "BAD_REQUEST",
        message: parsed.error,
        id: parsed.id,
      });
      return;
    }
    const message = parsed.message;
    if (!(await this.#allowed(connection))) {
      this.options.metrics.subscriptionOps.inc({ op: message.op, result: "rate_limited" });
      this.options.metrics.droppedMessages.inc({ reason: "rate_limited" });
      connection.send("control", {
        type: "error",
        code: "RATE_LIMITED",
        message: `at most ${this.options.settings().subscriptionsPerSecond} subscription operations per second`,
        id: message.id,
      });
      return;
    }
    if (!this.options.market.get(message.symbol)) {
      this.options.metrics.subscriptionOps.inc({ op: message.op, result: "invalid" });
      connection.send("control", {
        type: "error",
        code: "UNKNOWN_SYMBOL",
        message: `symbol: ${message.symbol} is not served here (${this.options.market.symbols().join(", ")})`,
        id: message.id,
      });
      return;
    }
    this.options.metrics.subscriptionOps.inc({ op: message.op, result: "ok" });
    if (message.op === "subscribe") this.#subscribe(connection, message);
    else this.#unsubscribe(connection, message);
  }

  async #allowed(connection: EdgeConnection): Promise<boolean> {
    const rate = this.options.settings().subscriptionsPerSecond;
    let limiter = this.#limiters.get(rate);
    if (!limiter) {
      limiter = new RateLimiterMemory({ points: rate, duration: 1 });
      this.#limiters.set(rate, limiter);
    }
    try {
      await limiter.consume(connection.id);
      return true;
    } catch {
      return false;
    }
  }

  #subscribe(connection: EdgeConnection, message: ClientMessage): void {
    const key = subscriptionKey(message);
    const subscription: Subscription = connection.subscriptions.get(key) ?? {
      key,
      channel: message.channel,
      symbol: message.symbol,
      depthRequested: message.depth,
      interval: message.interval,
      seq: 0,
    };
    connection.subscriptions.set(key, subscription);
    const subscribers = this.#subscribers.get(key) ?? new Map<string, Subscriber>();
    subscribers.set(connection.id, [connection, subscription]);
    this.#subscribers.set(key, subscribers);
    this.#sendSnapshot(connection, subscription, message.id);
  }

  #unsubscribe(connection: EdgeConnection, message: ClientMessage): void {
    const key = subscriptionKey(message);
    connection.subscriptions.delete(key);
    this.#subscribers.get(key)?.delete(connection.id);
    connection.send("control", {
      type: "unsubscribed",
      channel: message.channel,
      symbol: message.symbol,
      id: message.id,
    });
  }

  #sendSnapshot(connection: EdgeConnection, subscription: Subscription, id?: unknown): void {
    const market = this.options.market.get(subscription.symbol);
    if (!market) return;
    const base = {
      type: "snapshot",
      channel: subscription.channel,
      symbol: subscription.symbol,
      id,
    };
    if (subscription.channel === "trades") {
      const trades = market.recentTrades(this.options.tradesSnapshotSize);
      const seq = this.#tradeSeqs.get(subscription.symbol) ?? 0;
      connection.send("trades", { ...base, seq, trades });
    } else if (subscription.channel === "candles") {
      const series = market.candles.get(subscription.interval as never);
      subscription.pendingCandles = undefined;
      const candles = series?.recent(this.options.candlesSnapshotSize) ?? [];
      connection.send("candles", {
        ...base,
        interval: subscription.interval,
        seq: connection.next(subscription),
        candles,
      });
    } else {
      const depth = this.#depthOf(subscription);
      const view = market.book.top(depth);
      subscription.view = view;
      subscription.viewVersion = market.bookVersion;
      subscription.viewDepth = depth;
      connection.send("book", { ...base, seq: connection.next(subscription), depth, ...view });
    }
  }

  #depthOf(subscription: Subscription): number {
    const settings = this.options.settings();
    return Math.min(
      subscription.depthRequested ?? settings.bookDepthDefault,
      settings.bookDepthMax,
    );
  }

  *#subscribersOf(key: string): Iterable<Subscriber> {
    const subscribers = this.#subscribers.get(key);
    if (subscribers) yield* subscribers.values();
  }

  #scheduleFlush(): void {
    this.#flushTimer = setTimeout(() => {
      try {
        this.#flush();
      } catch (error) {
        this.options.logger.error({ err: error }, "market data flush failed");
      }
      this.#scheduleFlush();
    }, this.options.settings().conflationMs);
    this.#flushTimer.unref();
  }

  /** Send each connection what its book and candle subscriptions gathered since the last flush. */
  #flush(): void {
    const settings = this.options.settings();
    const depthChanged =
      settings.bookDepthMax !== this.#applied.bookDepthMax ||
      settings.bookDepthDefault !== this.#applied.bookDepthDefault;
    this.#applied = settings;
    const tops = new Map<string, BookView>();
    for (const connection of this.#connections) {
      this.options.metrics.backlog.observe(connection.backlogBytes);
      if (!connection.open) continue;
      for (const subscription of connection.subscriptions.values()) {
        if (subscription.channel === "candles") this.#flushCandles(connection, subscription);
        if (subscription.channel === "book")
          this.#flushBook(connection, subscription, depthChanged, tops);
      }
    }
  }

  #flushCandles(connection: EdgeConnection, subscription: Subscription): void {
    const pending = subscription.pendingCandles;
    if (!pending || pending.size === 0) return;
    subscription.pendingCandles = undefined;
    for (const candle of pending.values()) {
      connection.send("candles", {
        type: "CandleUpdated",
        channel: "candles",
        symbol: subscription.symbol,
        interval: subscription.interval,
        seq: connection.next(subscription),
        candle,
      });
    }
  }

  #flushBook(
    connection: EdgeConnection,
    subscription: Subscription,
    depthChanged: boolean,
    tops: Map<string, BookView>,
  ): void {
    const market = this.options.market.get(subscription.symbol);
    if (!market) return;
    const depth = this.#depthOf(subscription);
    if (depthChanged && depth !== subscription.viewDepth) {
      this.#sendSnapshot(connection, subscription);
      return;
    }
    if (subscription.viewVersion === market.bookVersion) return;
    const topKey = `${subscription.symbol}:${depth}`;
    const top = tops.get(topKey) ?? market.book.top(depth);
    tops.set(topKey, top);
    const before = subscription.view ?? { bids: [], asks: [] };
    const bids = levelChanges(before.bids, top.bids);
    const asks = levelChanges(before.asks, top.asks);
    subscription.view = top;
    subscription.viewVersion = market.bookVersion;
    if (bids.length === 0 && asks.length === 0) return;
    connection.send("book", {
      type: "BookUpdated",
      channel: "book",
      symbol: subscription.symbol,
      seq: connection.next(subscription),
      bids,
      asks,
    });
  }
}
