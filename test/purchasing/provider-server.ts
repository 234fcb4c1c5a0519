/**
 * @module A real HTTP server playing one purchasing provider in tests and benchmarks. It
 * speaks the provider API purchasing uses (`POST /orders` with an `Idempotency-Key`,
 * `GET /orders/{reference}`), keeps the orders it took (a repeat of a key answers the same
 * order), and can be told to misbehave: answer 429 or 500, decline, hold answers for a while
 * (slow) or forever (hang), or die (`stop()`: connections refused until `start()`).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson as send, startOutsideParty } from "../harness/outside-party";

/** How the provider answers a new order (`hang`: takes it and never answers). */
export type ProviderMode = "complete" | "decline" | "rate-limit" | "error" | "hang";

export interface ProviderServer {
  readonly name: string;
  /** `http://127.0.0.1:<port>`: the provider's `settings.url`. */
  readonly url: string;
  /** `POST /orders` requests received (repeats included). */
  readonly orderRequests: number;
  /** References of the orders it holds (completed, or taken while hanging). */
  readonly orders: ReadonlySet<string>;
  /** Answer new orders this way from now on. @default "complete" */
  setMode(mode: ProviderMode): void;
  /** Wait this long before answering each request. @default 0 */
  setDelayMs(delayMs: number): void;
  /** Die: cut every connection and refuse new ones until `start()`. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Start a provider on a free loopback port (the same port again after `stop()`/`start()`). */
export async function startProviderServer(name: string): Promise<ProviderServer> {
  const orders = new Map<string, string>();
  let mode: ProviderMode = "complete";
  let delayMs = 0;
  let orderRequests = 0;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const url = request.url ?? "";
    if (request.method === "GET" && url.startsWith("/orders/")) {
      const id = orders.get(decodeURIComponent(url.slice("/orders/".length)));
      if (id === undefined) return send(response, 404, { status: "not_found" });
      return send(response, 200, { id, status: "completed" });
    }
    if (request.method !== "POST" || url !== "/orders") return send(response, 404, {});
    orderRequests += 1;
    const reference = String(request.headers["idempotency-key"] ?? JSON.parse(body).reference);
    const known = orders.get(reference);
    if (known !== undefined) return send(response, 200, { id: known, status: "completed" });
    if (mode === "hang") {
      // The order is taken, the answer never comes: what a caller's timeout is for.
      orders.set(reference, `${name}_${randomUUID()}`);
      return;
    }
    if (mode === "rate-limit") return send(response, 429, { error: "slow down" });
    if (mode === "error") return send(response, 500, { error: "internal error" });
    if (mode === "decline") return send(response, 422, { status: "declined", reason: "sold out" });
    const id = `${name}_${randomUUID()}`;
    orders.set(reference, id);
    send(response, 201, { id, status: "completed" });
  }

  const party = await startOutsideParty(handle);
  return {
    name,
    url: party.url,
    get orderRequests() {
      return orderRequests;
    },
    get orders() {
      return new Set(orders.keys());
    },
    setMode(next) {
      mode = next;
    },
    setDelayMs(next) {
      delayMs = next;
    },
    stop: party.stop,
    start: party.start,
  };
}
