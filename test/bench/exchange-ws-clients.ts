/**
 * @module The WebSocket clients of `npm run bench -- exchange-ws`, in a worker thread so they
 * do not share an event loop with the servers they measure: N clients on one URL, each
 * recording when every trade arrived against the time the trade was published.
 */
import { parentPort } from "node:worker_threads";
import { WebSocket } from "ws";

interface Connect {
  readonly type: "connect";
  readonly url: string;
  readonly clients: number;
  /** Send the edge's subscribe message (a bare server broadcasts to everyone). */
  readonly subscribe: boolean;
}

type Command =
  | Connect
  | { readonly type: "reset" }
  | { readonly type: "report" }
  | { readonly type: "close" };

const sockets: WebSocket[] = [];
let received = 0;
let latenciesMs: number[] = [];

function record(data: Buffer): void {
  const text = data.toString();
  // Trades only: a snapshot carries older trades, and would not measure fan-out.
  if (!text.startsWith('{"type":"TradeExecuted"')) return;
  const at = /"executedAt":"([^"]+)"/.exec(text);
  if (!at) return;
  received += 1;
  latenciesMs.push(Date.now() - Date.parse(at[1]!));
}

async function connect(command: Connect): Promise<void> {
  const opening: Promise<void>[] = [];
  for (let index = 0; index < command.clients; index += 1) {
    const socket = new WebSocket(command.url);
    sockets.push(socket);
    socket.on("message", (data) => record(data as Buffer));
    opening.push(
      new Promise((resolve, reject) => {
        socket.once("open", () => {
          if (command.subscribe)
            socket.send(JSON.stringify({ op: "subscribe", channel: "trades", symbol: "BTC-USD" }));
          resolve();
        });
        socket.once("error", reject);
      }),
    );
    // Open in slices: a thousand handshakes at once time out on a busy machine.
    if (index % 100 === 99) await Promise.all(opening.splice(0));
  }
  await Promise.all(opening);
}

parentPort?.on("message", async (command: Command) => {
  if (command.type === "connect") {
    await connect(command);
    parentPort?.postMessage({ type: "connected" });
  } else if (command.type === "reset") {
    received = 0;
    latenciesMs = [];
    parentPort?.postMessage({ type: "reset" });
  } else if (command.type === "report") {
    parentPort?.postMessage({ type: "report", received, latenciesMs });
  } else {
    for (const socket of sockets.splice(0)) socket.terminate();
    parentPort?.postMessage({ type: "closed" });
  }
});
