/**
 * @module The server under every outside party the tests play (a PSP, a purchasing
 * provider): a real HTTP server on a loopback port that can die (`stop()`: connections cut,
 * new ones refused) and come back on the same port (`start()`), with the small helpers its
 * handlers need.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface OutsideParty {
  /** `http://127.0.0.1:<port>`, the same across stop and start. */
  readonly url: string;
  /** Cut every connection and stop listening. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
}

/**
 * Serve `handle` on a free loopback port (or `port`); a handler that throws answers 400.
 *
 * @example const party = await startOutsideParty(async (request, response) => sendJson(response, 200, {}));
 */
export async function startOutsideParty(
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  port = 0,
): Promise<OutsideParty> {
  let server: Server | undefined;
  let boundPort = port;
  async function start(): Promise<void> {
    const created = createServer((request, response) => {
      handle(request, response).catch(() => sendJson(response, 400, { error: "bad request" }));
    });
    await new Promise<void>((resolve, reject) => {
      created.once("error", reject);
      created.listen(boundPort, "127.0.0.1", () => resolve());
    });
    boundPort = (created.address() as AddressInfo).port;
    server = created;
  }
  async function stop(): Promise<void> {
    const current = server;
    server = undefined;
    if (!current) return;
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  }
  await start();
  return { url: `http://127.0.0.1:${boundPort}`, stop, start };
}

/** The request's body as text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Answer `status` with a JSON body given as text, unless the answer already went. */
export function sendText(response: ServerResponse, status: number, body: string): void {
  if (response.writableEnded || response.destroyed) return;
  response.writeHead(status, { "content-type": "application/json" }).end(body);
}

/** Answer `status` with `body` as JSON, unless the answer already went. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  sendText(response, status, JSON.stringify(body));
}
