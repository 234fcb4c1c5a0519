/**
 * @module Forwarding to the replica that sequences a symbol. Behind a Service (or the edge's
 * one URL) a command reaches any replica; one that does not hold the symbol's lease relays the
 * request as it came (method, path, body, every end-to-end header) to the holder's advertised
 * URL, found in the lease row, and answers with the holder's answer as it is. A command the
 * symbol's mode refuses is refused here, by every replica, without a hop. The hop header
 * marks a relayed request, so it is never relayed again: a holder that lost the lease meanwhile
 * answers its own 503. No holder, no address or an unreachable holder: the request runs here
 * and gets the same 503 (retry later), and nothing was taken.
 */
import type { Context, MiddlewareHandler } from "hono";
import { Counter, type Registry } from "prom-client";
import type { AppEnv } from "../kit/app-env";
import type { Pool } from "../kit/db";
import type { Logger } from "../kit/logger";
import type { Markets } from "./markets";
import { leaseHolder } from "./sequencer/lease";

/** Set on a relayed request (to the relaying replica's id): never relayed again. */
export const forwardedByHeader = "x-exchange-forwarded-by";

export type ForwardResult = "forwarded" | "no_holder" | "unreachable";

export function createForwardMetrics(registry: Registry): Counter<"result"> {
  return new Counter({
    name: "exchange_order_forwards_total",
    help: "Commands for a symbol this replica does not sequence, by what became of the relay.",
    labelNames: ["result"],
    registers: [registry],
  });
}

export interface ForwardingOptions {
  readonly pool: Pool;
  readonly markets: Markets;
  readonly replicaId: string;
  readonly timeoutMs: number;
  readonly forwards: Counter<"result">;
  readonly logger: Logger;
}

/** The symbol a request acts on, or undefined to let the route answer it (bad input, unknown order). */
export type SymbolOf = (c: Context<AppEnv>) => Promise<string | undefined>;

/** Connection-level headers, which belong to one hop and are not relayed. */
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "proxy-authorization",
  "proxy-connection",
  "host",
  "content-length",
]);

/** Whether the symbol's mode refuses the command (then the route refuses it here). */
export type RefusedByMode = (symbol: string) => boolean;

/** Middleware: relays the request to the symbol's sequencer when this replica is not it. */
export function forwardToSequencer(
  options: ForwardingOptions,
  symbolOf: SymbolOf,
  refusedByMode: RefusedByMode,
): MiddlewareHandler<AppEnv> {
  const count = (result: ForwardResult) => options.forwards.inc({ result });
  return async function forwardUnlessSequencing(c, next) {
    if (c.req.header(forwardedByHeader) !== undefined) return next();
    const symbol = await symbolOf(c);
    const sequencer = symbol === undefined ? undefined : options.markets.sequencer(symbol);
    if (sequencer === undefined || sequencer.isLeader() || refusedByMode(sequencer.symbol))
      return next();
    // The lease row unreadable: run here, which refuses with 503 as no sequencer is known.
    const holder = await leaseHolder(options.pool, sequencer.symbol).catch(() => undefined);
    if (holder?.advertiseUrl === undefined || holder.holder === options.replicaId) {
      count("no_holder");
      return next();
    }
    try {
      const answer = await relay(c, holder.advertiseUrl, options);
      count("forwarded");
      return answer;
    } catch (error) {
      count("unreachable");
      options.logger.warn(
        { err: error, symbol: sequencer.symbol, holder: holder.holder },
        "sequencing replica unreachable",
      );
      return next();
    }
  };
}

async function relay(
  c: Context<AppEnv>,
  baseUrl: string,
  options: ForwardingOptions,
): Promise<Response> {
  const incoming = new URL(c.req.url);
  const headers = new Headers();
  for (const [name, value] of c.req.raw.headers) if (!hopByHop.has(name)) headers.set(name, value);
  headers.set(forwardedByHeader, options.replicaId);
  // One request id in both replicas' logs.
  headers.set("x-request-id", c.var.requestId);
  const method = c.req.method;
  const answer = await fetch(`${baseUrl}${incoming.pathname}${incoming.search}`, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : await c.req.arrayBuffer(),
    redirect: "manual",
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  // Read whole within the timeout: an answer cut short must not pass for the holder's.
  const body = await answer.arrayBuffer();
  const relayed = new Headers();
  for (const [name, value] of answer.headers)
    if (!hopByHop.has(name) && name !== "content-encoding") relayed.set(name, value);
  return new Response(body, { status: answer.status, headers: relayed });
}
