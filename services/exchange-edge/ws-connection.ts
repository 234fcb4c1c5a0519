/**
 * @module One client's WebSocket connection: its subscriptions and its outbound queue. The
 * queue is what the socket holds that the kernel has not taken (`ws`'s `bufferedAmount`, in
 * bytes); a client that lets more than the cap pile up is closed with reason SLOW_CONSUMER
 * instead of dropping anything it subscribed to, so a connection that lives has every trade.
 * Bytes rather than messages: counting messages needs a write callback per message, which
 * cost a fifth of the edge's fan-out throughput, and bytes are what a slow client costs.
 */
import type { WebSocket } from "ws";
import type { Candle } from "./candles";
import type { Level } from "./order-book";
import type { WsMetrics } from "./ws-metrics";

/** The close code of a slow consumer (4000-4999 are the application's). */
export const slowConsumerCode = 4008;
/** How long a closing slow consumer gets to read its close frame before the socket is cut. */
const slowConsumerGraceMs = 10_000;

export type Channel = "trades" | "book" | "candles";

/**
 * One subscription and what it still has to send. Book and candles count their own gap-free
 * `seq` (their updates are coalesced per connection); trades carry the symbol's stream seq.
 */
export interface Subscription {
  readonly key: string;
  readonly channel: Channel;
  readonly symbol: string;
  /** Book: the depth asked for (capped by the settings in force). */
  readonly depthRequested?: number;
  /** Candles: the interval. */
  readonly interval?: string;
  seq: number;
  /** Book: the levels the client holds, and the book version and depth they were taken at. */
  view?: { bids: Level[]; asks: Level[] };
  viewVersion?: number;
  viewDepth?: number;
  /** Candles: updates waiting for the next flush, by the candle's open time. */
  pendingCandles?: Map<string, Candle>;
}

export class EdgeConnection {
  readonly subscriptions = new Map<string, Subscription>();
  #closing = false;
  #operations: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    private readonly socket: WebSocket,
    private readonly queueMaxBytes: number,
    private readonly metrics: WsMetrics,
  ) {}

  /** Bytes handed to the socket and not yet written out. */
  get backlogBytes(): number {
    return this.socket.bufferedAmount;
  }

  get open(): boolean {
    return !this.#closing;
  }

  /** Queue a message; past the cap the connection is closed as a slow consumer. */
  send(channel: string, message: Record<string, unknown> | string): void {
    if (this.sendPrepared(typeof message === "string" ? message : JSON.stringify(message))) {
      this.metrics.outboundMessages.inc({ channel });
    }
  }

  /**
   * Queue a message built once for many connections; a broadcast counts its messages itself,
   * once, rather than a labelled counter per client. Text stays a string: `ws` writes a string
   * as one buffer with its frame header, where a Buffer costs two writes per client. No write
   * callback either: the backlog is read from the socket.
   * @returns whether it was queued.
   */
  sendPrepared(data: string): boolean {
    if (this.#closing) {
      this.metrics.droppedMessages.inc({ reason: "slow_consumer" });
      return false;
    }
    if (this.socket.bufferedAmount >= this.queueMaxBytes) {
      this.metrics.droppedMessages.inc({ reason: "slow_consumer" });
      this.closeSlow();
      return false;
    }
    this.socket.send(data);
    return true;
  }

  /** Run the client's operations one after the other, so answers come in the order asked. */
  serially(operation: () => Promise<void>): void {
    // One failed operation must not stop the ones after it (nor go unhandled).
    this.#operations = this.#operations.then(operation).catch(() => undefined);
  }

  /** The next seq of a subscription's message. */
  next(subscription: Subscription): number {
    subscription.seq += 1;
    return subscription.seq;
  }

  /** Close with `reason`, counted once in `ws_close_total`. */
  close(code: number, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.metrics.closes.inc({ reason });
    this.socket.close(code, reason);
  }

  /** The socket closed without us closing it (the client left, or the network did). */
  closedByPeer(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.metrics.closes.inc({ reason: "CLIENT" });
  }

  /** Cut the socket without a closing handshake. */
  terminate(): void {
    this.socket.terminate();
  }

  private closeSlow(): void {
    this.close(slowConsumerCode, "SLOW_CONSUMER");
    // A client that reads nothing never reads the close frame either.
    setTimeout(() => this.socket.terminate(), slowConsumerGraceMs).unref();
  }
}
