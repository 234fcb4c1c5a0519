/**
 * @module A small real HTTP server that plays the payment service provider in tests and
 * benchmarks. It speaks the API the payments gateway adapter uses (`POST /payouts` with an
 * `Idempotency-Key`) and answers each request as scripted per destination: succeed, fail,
 * time out (it executes the payout but answers too late), or answer ambiguously (500, or
 * malformed JSON). Like a real PSP it executes each idempotency key at most once and answers
 * a repeat with the recorded outcome.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  sendJson as answer,
  readBody,
  sendText as send,
  startOutsideParty,
} from "../harness/outside-party";

export type PspBehaviour = "succeed" | "fail" | "timeout" | "ambiguous" | "malformed";

/** One request the PSP received. */
export interface PspRequest {
  readonly idempotencyKey: string | undefined;
  readonly reference: string;
  readonly destination: string;
  readonly amount: string;
  readonly currency: string;
  readonly behaviour: PspBehaviour;
  readonly at: Date;
}

export interface PspServer {
  /** `http://127.0.0.1:<port>`: give it to the service as `PSP_URL`. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: PspRequest[];
  /** Answer requests for `destination` with these behaviours in turn; the last one repeats. */
  script(destination: string, ...behaviours: PspBehaviour[]): void;
  /** The behaviour for destinations without a script. @default "succeed" */
  setDefault(behaviour: PspBehaviour): void;
  /** How many payouts the PSP executed (paid out) for an idempotency key: 0 or 1. */
  executions(idempotencyKey: string): number;
  /** Stop listening (held "timeout" answers are cut); `start()` listens again on the port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

interface Executed {
  readonly status: number;
  readonly body: string;
}

/** Start the PSP on a free loopback port (or `port`). */
export async function startPspServer(
  options: { port?: number; holdMs?: number } = {},
): Promise<PspServer> {
  const holdMs = options.holdMs ?? 60_000;
  const scripts = new Map<string, PspBehaviour[]>();
  const executed = new Map<string, Executed>();
  const requests: PspRequest[] = [];
  let fallback: PspBehaviour = "succeed";

  function nextBehaviour(destination: string): PspBehaviour {
    const script = scripts.get(destination);
    if (script === undefined || script.length === 0) return fallback;
    return script.length > 1 ? script.shift()! : script[0]!;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== "POST" || request.url !== "/payouts") {
      return answer(response, 404, { error: "not found" });
    }
    const body = JSON.parse(await readBody(request)) as Record<string, string>;
    const idempotencyKey = header(request, "idempotency-key");
    const behaviour = nextBehaviour(body.destination ?? "");
    requests.push({
      idempotencyKey,
      reference: body.reference ?? "",
      destination: body.destination ?? "",
      amount: body.amount ?? "",
      currency: body.currency ?? "",
      behaviour,
      at: new Date(),
    });
    const repeat = idempotencyKey === undefined ? undefined : executed.get(idempotencyKey);
    if (repeat) return send(response, repeat.status, repeat.body);
    respond(behaviour, idempotencyKey, response);
  }

  function respond(
    behaviour: PspBehaviour,
    key: string | undefined,
    response: ServerResponse,
  ): void {
    const record = (status: number, body: string) => {
      if (key !== undefined) executed.set(key, { status, body });
    };
    if (behaviour === "succeed") {
      const body = JSON.stringify({ id: `psp_${randomUUID()}`, status: "succeeded" });
      record(200, body);
      send(response, 200, body);
      return;
    }
    if (behaviour === "fail") {
      const body = JSON.stringify({ status: "failed", reason: "destination account closed" });
      record(422, body);
      send(response, 422, body);
      return;
    }
    if (behaviour === "timeout") {
      // Paid, but the answer comes too late for the caller: the classic ambiguous case.
      record(200, JSON.stringify({ id: `psp_${randomUUID()}`, status: "succeeded" }));
      const timer = setTimeout(
        () => send(response, 200, executed.get(key ?? "")?.body ?? "{}"),
        holdMs,
      );
      response.on("close", () => clearTimeout(timer));
      return;
    }
    if (behaviour === "ambiguous") {
      answer(response, 500, { error: "internal error, state unknown" });
      return;
    }
    send(response, 200, "<html>gateway hiccup</html>");
  }

  const party = await startOutsideParty(handle, options.port);
  return {
    url: party.url,
    requests,
    script: (destination, ...behaviours) => scripts.set(destination, behaviours),
    setDefault: (behaviour) => {
      fallback = behaviour;
    },
    executions: (key) => (executed.has(key) ? 1 : 0),
    stop: party.stop,
    start: party.start,
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
