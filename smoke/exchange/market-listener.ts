/**
 * @module The smoke's WebSocket client of the edge (`/ws`): subscribes to a symbol's trades
 * and 1m candles, waits for both snapshots, and keeps every message it receives, each also
 * appended to a log (seed 002's `ws_events`) so a failed run shows what did arrive.
 */
import { appendFileSync } from "node:fs";
import { WebSocket } from "ws";

export interface MarketMessage {
  readonly type: string;
  readonly channel?: string;
  readonly symbol?: string;
  readonly [field: string]: unknown;
}

export interface MarketListener {
  /** Resolves with the first message received (or already received) that `match` accepts. */
  waitFor(
    what: string,
    match: (message: MarketMessage) => boolean,
    timeoutMs: number,
  ): Promise<MarketMessage>;
  close(): void;
}

/** `ws://host/ws` of an edge's `http://host`. */
export function marketDataUrl(edgeUrl: string): string {
  const url = new URL("/ws", edgeUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** Connect, subscribe to trades and candles of `symbol`, resolve once both snapshots came. */
export async function listenToMarket(
  edgeUrl: string,
  symbol: string,
  logPath: string,
  timeoutMs: number,
): Promise<MarketListener> {
  const messages: MarketMessage[] = [];
  const waiters = new Set<() => void>();
  const socket = new WebSocket(marketDataUrl(edgeUrl));
  let closed: string | undefined;
  socket.on("message", function record(data) {
    const text = data.toString();
    appendFileSync(logPath, `${new Date().toISOString()} ${text}\n`);
    messages.push(JSON.parse(text) as MarketMessage);
    for (const wake of waiters) wake();
  });
  socket.on("close", function ended(code, reason) {
    closed = `the edge closed the WebSocket (${code} ${reason.toString() || "no reason"})`;
    for (const wake of waiters) wake();
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  const listener: MarketListener = {
    waitFor(what, match, waitMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (found) return finish(() => resolve(found));
          if (closed) return finish(() => reject(new Error(`${what}: ${closed}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no ${what} within ${waitMs / 1000} s`))),
          waitMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    close: () => socket.terminate(),
  };
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      opened,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no WebSocket within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    socket.send(JSON.stringify({ op: "subscribe", channel: "trades", symbol, id: "trades" }));
    socket.send(
      JSON.stringify({
        op: "subscribe",
        channel: "candles",
        symbol,
        id: "candles",
        interval: "1m",
      }),
    );
    for (const channel of ["trades", "candles"])
      await listener.waitFor(
        `${channel} snapshot`,
        (message) => message.type === "snapshot" && message.channel === channel,
        timeoutMs,
      );
    return listener;
  } catch (error) {
    socket.terminate();
    throw error;
  }
}
