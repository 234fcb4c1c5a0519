/**
 * @module Idempotency for unsafe requests carrying an `Idempotency-Key` header. The first
 * request reserves the key (a unique PostgreSQL row scoped by method, route template and
 * actor), runs, and stores status, headers and body; a repeat with the same body gets that
 * response back byte for byte (`idempotent-replayed: true`); the same key with a different
 * body is 409 `idempotency/conflict`. A repeat that arrives while the first is still running
 * does not wait: it gets 409 `idempotency/in-progress` with `Retry-After: 1`, so concurrent
 * repeats produce one effect. Server errors (5xx) and transient refusals (401, 403, 408, 409,
 * 423, 425, 429) release the key so the client can retry with it; other results are kept.
 * A reservation whose holder died is taken over after `leaseMs`.
 *
 * A route whose whole effect is one database transaction can declare
 * {@link answerInTransaction}: it is not reserved up front; its handler writes the answer as
 * the last statement of the effect's transaction ({@link storeIdempotentJson}), and the unique
 * answer row is what makes the effect happen once: a repeat's own answer cannot be written, so
 * its transaction rolls back and it replays the first answer. That costs one statement and one
 * commit less per request than a reservation, on the routes that move money.
 */
import { createHash } from "node:crypto";
import type { Context, MiddlewareHandler, TypedResponse } from "hono";
import { matchedRoutes } from "hono/route";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";
import { routeTemplate, unmatchedPath } from "./app";
import type { AppEnv } from "./app-env";
import { insertAnswerSql, queueAnswer } from "./commit-writes";
import { onCommit, type Pool, type Tx } from "./db";
import { isDependencyOutage } from "./dependency-error";
import type { ServiceMetrics } from "./metrics";
import { kitProblems, ProblemError, problem, problemResponse } from "./problem";

export type IdempotencyOutcome =
  | "reserved"
  | "replayed"
  | "conflict"
  | "in_progress"
  | "released"
  | "reserve_error"
  | "finalize_error";

export interface IdempotencyOptions {
  readonly pool: Pool;
  readonly metrics?: ServiceMetrics;
  /**
   * Who is calling, to scope keys per actor. @default a digest of the `Authorization`
   * header, or `anonymous`
   */
  readonly actor?: (c: Context<AppEnv>) => string;
  /** How long a reservation may stay in progress before another request takes it over. @default 60000 */
  readonly leaseMs?: number;
  /** Refuse unsafe requests without a key (400). @default false */
  readonly required?: boolean;
  /** Paths (prefixes) this middleware leaves alone. @default ["/admin/"] */
  readonly skipPrefixes?: readonly string[];
}

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const releasedStatuses = new Set([401, 403, 408, 409, 423, 425, 429]);
const unstoredHeaders = new Set([
  "x-request-id",
  "date",
  "content-length",
  "transfer-encoding",
  "connection",
]);
const keyPattern = /^[\x21-\x7e]{1,255}$/;

/** Whether a response with this status is kept for replay. */
export function isStoredStatus(status: number): boolean {
  return status < 500 && !releasedStatuses.has(status);
}

/** The digest that tells a repeat from a different request under the same key. */
export function requestHash(method: string, template: string, body: Uint8Array): string {
  return createHash("sha256").update(`${method} ${template}\n`).update(body).digest("hex");
}

function defaultActor(c: Context<AppEnv>): string {
  const authorization = c.req.header("authorization");
  if (!authorization) return "anonymous";
  return createHash("sha256").update(authorization).digest("hex").slice(0, 32);
}

/** The reservation a request holds, on `c.var.idempotency` while it runs. */
export interface IdempotencyReservation {
  readonly scope: string;
  readonly key: string;
  /** The request's digest ({@link requestHash}), stored with its answer. */
  readonly hash: string;
  /**
   * `locked_until` as reserved: fences writes, so a holder whose lease was taken over writes
   * nothing. Absent on a route that {@link answerInTransaction}: nothing is reserved there.
   */
  readonly token?: string;
  /** Set once the handler's transaction committed the response with the effect. */
  stored: boolean;
}

/** Marks the middleware of {@link answerInTransaction}, which the kit finds on the matched route. */
const answersInTransaction = Symbol("answersInTransaction");

/**
 * Declare that this route's whole effect is one database transaction that ends with
 * {@link storeIdempotentJson}: the kit then reserves nothing before the handler runs, and the
 * answer row written with the effect decides which request ran first. A repeat (concurrent or
 * later) runs the handler too, but cannot write its answer, so its transaction rolls back and
 * it gets the first answer byte for byte; a concurrent repeat waits for the first to commit
 * instead of getting 409 in-progress. A refusal (4xx, 5xx) of a repeat is replaced by the first
 * answer too, so a later repeat never sees "insufficient funds" for money it already moved.
 * Only for handlers with no effect outside that transaction (no HTTP call, no Kafka write):
 * those would happen again for every repeat.
 *
 * @example createRoute({ ..., middleware: [requireIdempotencyKey(), answerInTransaction()] as const })
 */
export function answerInTransaction(): MiddlewareHandler<AppEnv> {
  const middleware: MiddlewareHandler<AppEnv> = async (_c, next) => {
    await next();
  };
  return Object.assign(middleware, { [answersInTransaction]: true });
}

function routeAnswersInTransaction(c: Context<AppEnv>): boolean {
  return matchedRoutes(c).some((route) => answersInTransaction in route.handler);
}

interface StoredRow {
  request_hash: string;
  state: "in_progress" | "completed";
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: Buffer | null;
  lease_expired: boolean;
}

/**
 * The middleware; the kit mounts it for every service (the admin API excepted).
 *
 * @example app.use("/v1/*", idempotency({ pool, metrics, required: true }));
 */
export function idempotency(options: IdempotencyOptions): MiddlewareHandler<AppEnv> {
  const leaseMs = options.leaseMs ?? 60_000;
  const actorOf = options.actor ?? defaultActor;
  const skipPrefixes = options.skipPrefixes ?? ["/admin/"];
  const count = (outcome: IdempotencyOutcome) =>
    options.metrics?.idempotencyEvents.inc({ outcome });

  return async function idempotencyMiddleware(c, next) {
    const skipped = skipPrefixes.some((prefix) => c.req.path.startsWith(prefix));
    if (!unsafeMethods.has(c.req.method) || skipped || c.get("idempotencyHandled")) return next();
    c.set("idempotencyHandled", true);
    const template = routeTemplate(c);
    if (template === unmatchedPath) return next();
    const key = validKey(c.req.header("idempotency-key"), options.required ?? false);
    if (key === undefined) return next();
    const body = await readBody(c);
    const hash = requestHash(c.req.method, template, body);
    const scope = `${c.req.method} ${template} ${actorOf(c)}`;

    if (routeAnswersInTransaction(c)) {
      const held: IdempotencyReservation = { scope, key, hash, stored: false };
      c.set("idempotency", held);
      await next();
      if (held.stored) count("reserved");
      // The store is the database that just failed: the key is not recorded and nothing ran,
      // what a reservation that could not be made means elsewhere.
      else if (isDependencyOutage(c.error)) count("reserve_error");
      else await settleFirstAnswer(c, options.pool, held, count);
      return;
    }

    let reservation: { token?: string; existing?: StoredRow };
    try {
      reservation = await reserve(options.pool, scope, key, hash, leaseMs);
    } catch (error) {
      count("reserve_error");
      c.var.logger.error({ err: error }, "cannot reserve idempotency key");
      throw problem({
        type: "idempotency/unavailable",
        title: "Idempotency store unavailable",
        status: 503,
        detail: "the request was not run; retry with the same Idempotency-Key",
        headers: { "retry-after": "1" },
      });
    }
    if (reservation.token === undefined)
      return answerRepeat(reservation.existing!, hash, key, count);
    count("reserved");
    const held: IdempotencyReservation = {
      scope,
      key,
      hash,
      token: reservation.token,
      stored: false,
    };
    c.set("idempotency", held);
    await next();
    if (!held.stored) await finalize(c, options.pool, held, count);
  };
}

/**
 * Refuse (400 `idempotency/invalid-key`) a request without a well-formed `Idempotency-Key`;
 * mount it on the routes that must have one (the kit's idempotency middleware does the rest),
 * then read the key with {@link idempotencyKeyOf}.
 *
 * @example app.use("/v1/transfers", requireIdempotencyKey());
 * @example createRoute({ method: "post", path: "/v1/transfers", middleware: [requireIdempotencyKey()], ... })
 */
export function requireIdempotencyKey(): MiddlewareHandler<AppEnv> {
  return async function requireIdempotencyKeyMiddleware(c, next) {
    if (unsafeMethods.has(c.req.method))
      c.set("idempotencyKey", validKey(c.req.header("idempotency-key"), true));
    await next();
  };
}

/**
 * The `Idempotency-Key` of a request on a route guarded by {@link requireIdempotencyKey}, e.g.
 * to use it as the reference of the effect as a second line of defence.
 */
export function idempotencyKeyOf(c: Context<AppEnv>): string {
  const key = c.get("idempotencyKey");
  if (key === undefined)
    throw new Error(`${c.req.path} reads Idempotency-Key without requireIdempotencyKey()`);
  return key;
}

/**
 * Answer `value` as JSON with `status` (what `c.json(value, status)` answers). On a route that
 * {@link answerInTransaction}, also store that answer for the request's Idempotency-Key in
 * `tx`, the handler's own transaction (from `withTransaction`): it is written with the
 * transaction's last statement before COMMIT, so the effect and its replayable answer commit
 * together. If another request with the key answered first, the transaction throws 409
 * `idempotency/in-progress` instead of committing, and the middleware answers with the first
 * answer. Elsewhere (no key, a reserved route, a status that is not kept) it only answers, and
 * the middleware stores as usual.
 *
 * @example return withTransaction(pool, async (tx) => { ...effect...; return storeIdempotentJson(c, tx, result, 201); });
 */
export function storeIdempotentJson<T extends object, S extends ContentfulStatusCode>(
  c: Context<AppEnv>,
  tx: Tx,
  value: T,
  status: S,
): JsonAnswer<T, S> {
  // What c.json(value, status) answers, serialized once for the answer and its stored copy
  // (reading it back out of the Response would build a web stream per request). Hono types
  // c.body's answer as text; the bytes and content type are c.json's, so it is typed as that.
  const text = JSON.stringify(value);
  const response = c.body(text, status, {
    "content-type": jsonContentType,
  }) as unknown as JsonAnswer<T, S>;
  const held = c.get("idempotency");
  if (held === undefined || held.token !== undefined || held.stored || !isStoredStatus(status))
    return response;
  queueAnswer(tx, {
    scope: held.scope,
    key: held.key,
    requestHash: held.hash,
    status,
    headers: jsonHeaders,
    body: Buffer.from(text),
    taken: () => inProgress("another request with this key answered first"),
  });
  onCommit(tx, () => {
    held.stored = true;
  });
  return response;
}

/** The response `c.json(value, status)` would be, typed as Hono's route types expect it. */
type JsonAnswer<T, S extends ContentfulStatusCode> = Response &
  TypedResponse<JSONParsed<T>, S, "json">;

const jsonContentType = "application/json";

/** The headers of a JSON answer, as stored for replay (request ids are never stored). */
const jsonHeaders = JSON.stringify({ "content-type": jsonContentType });

const textDecoder = new TextDecoder();

/**
 * The raw body, read once. A JSON body's text goes into Hono's body cache as well, which is
 * where `c.req.json()` (and so the route's validator) reads it from; otherwise Hono would
 * rebuild a Response from these bytes, web stream and all, to decode them again.
 */
async function readBody(c: Context<AppEnv>): Promise<Uint8Array> {
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (c.req.header("content-type")?.includes("json")) {
    // Hono keeps promises there (its type says otherwise).
    (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(textDecoder.decode(body));
  }
  return body;
}

function validKey(key: string | undefined, required: boolean): string | undefined {
  if (key === undefined) {
    if (required) throw invalidKey("this endpoint requires an Idempotency-Key header");
    return undefined;
  }
  if (!keyPattern.test(key))
    throw invalidKey("Idempotency-Key must be 1-255 visible ASCII characters");
  return key;
}

function inProgress(detail: string) {
  return problem({
    type: kitProblems.idempotencyInProgress,
    title: "A request with this Idempotency-Key is in progress",
    status: 409,
    detail,
    headers: { "retry-after": "1" },
  });
}

function invalidKey(detail: string) {
  return problem({
    type: kitProblems.idempotencyInvalidKey,
    title: "Invalid Idempotency-Key",
    status: 400,
    detail,
  });
}

const reserveSql = `
  INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until)
  VALUES ($1, $2, $3, 'in_progress', now() + $4 * interval '1 millisecond')
  ON CONFLICT DO NOTHING RETURNING locked_until::text AS token`;

const takeOverSql = `
  UPDATE idempotency_keys SET locked_until = now() + $3 * interval '1 millisecond'
   WHERE scope = $1 AND key = $2 AND state = 'in_progress' AND locked_until <= now()
  RETURNING locked_until::text AS token`;

/** Reserve the key: a token when this request holds it now, else the row that holds it. */
async function reserve(
  pool: Pool,
  scope: string,
  key: string,
  hash: string,
  leaseMs: number,
): Promise<{ token?: string; existing?: StoredRow }> {
  const inserted = await pool.query<{ token: string }>({
    name: "kit-idempotency-reserve",
    text: reserveSql,
    values: [scope, key, hash, leaseMs],
  });
  if (inserted.rowCount === 1) return { token: inserted.rows[0]!.token };
  const found = await pool.query<StoredRow>({
    name: "kit-idempotency-find",
    text: findSql,
    values: [scope, key],
  });
  const existing = found.rows[0];
  // Released between our insert and select: try once more from the top.
  if (!existing) return reserve(pool, scope, key, hash, leaseMs);
  if (
    existing.state === "in_progress" &&
    existing.lease_expired &&
    existing.request_hash === hash
  ) {
    const taken = await pool.query<{ token: string }>(takeOverSql, [scope, key, leaseMs]);
    if (taken.rowCount === 1) return { token: taken.rows[0]!.token };
  }
  return { existing };
}

function answerRepeat(
  existing: StoredRow,
  hash: string,
  key: string,
  count: (outcome: IdempotencyOutcome) => void,
): Response {
  if (existing.request_hash !== hash) {
    count("conflict");
    throw problem({
      type: kitProblems.idempotencyConflict,
      title: "Idempotency-Key reused with a different request",
      status: 409,
      detail: `key ${key} was first used with another body; use a new key for a new request`,
    });
  }
  if (existing.state === "in_progress") {
    count("in_progress");
    throw inProgress("retry shortly with the same key to get its result");
  }
  count("replayed");
  const headers = new Headers(existing.response_headers ?? {});
  headers.set("idempotent-replayed", "true");
  return new Response(
    existing.response_body && existing.response_body.length > 0
      ? new Uint8Array(existing.response_body)
      : null,
    { status: existing.response_status ?? 200, headers },
  );
}

const completeSql = `
  UPDATE idempotency_keys SET state = 'completed', response_status = $4, response_headers = $5,
         response_body = $6, completed_at = now()
   WHERE scope = $1 AND key = $2 AND state = 'in_progress' AND locked_until = $3::timestamptz`;

const findSql = `
  SELECT request_hash, state, response_status, response_headers, response_body,
         locked_until <= now() AS lease_expired
    FROM idempotency_keys WHERE scope = $1 AND key = $2`;

const releaseSql = `
  DELETE FROM idempotency_keys
   WHERE scope = $1 AND key = $2 AND state = 'in_progress' AND locked_until = $3::timestamptz`;

/** Status, headers (JSON) and body bytes of an answer, as stored for replay. */
type StoredAnswer = [number, string, Buffer];

/** Status, headers (JSON) and body bytes of `response` (read from a clone), as stored for replay. */
async function storedResponse(response: Response): Promise<StoredAnswer> {
  const body = new Uint8Array(await response.clone().arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!unstoredHeaders.has(name)) headers[name] = value;
  });
  return [
    response.status,
    JSON.stringify(headers),
    Buffer.from(body.buffer, body.byteOffset, body.byteLength),
  ];
}

async function finalize(
  c: Context<AppEnv>,
  pool: Pool,
  held: IdempotencyReservation,
  count: (outcome: IdempotencyOutcome) => void,
): Promise<void> {
  const response = c.res;
  const fence = [held.scope, held.key, held.token];
  try {
    if (!isStoredStatus(response.status)) {
      await pool.query({ name: "kit-idempotency-release", text: releaseSql, values: fence });
      count("released");
      return;
    }
    await pool.query({
      name: "kit-idempotency-complete",
      text: completeSql,
      values: [...fence, ...(await storedResponse(response))],
    });
  } catch (error) {
    // The effect happened but its result is not stored: the key stays in progress until its
    // lease ends, so repeats get 409 in-progress rather than a second effect right away.
    count("finalize_error");
    c.var.logger.error(
      { err: error, idempotencyKey: held.key },
      "cannot store idempotent response",
    );
  }
}

/**
 * On a route that {@link answerInTransaction}, after a handler that did not store its answer
 * with its effect (it refused, failed, or found its effect already made): the first answer
 * stored for the key wins. A kept status is stored now unless one is already there; whatever
 * is already there is answered instead (or 409 when it answered a different request).
 */
async function settleFirstAnswer(
  c: Context<AppEnv>,
  pool: Pool,
  held: IdempotencyReservation,
  count: (outcome: IdempotencyOutcome) => void,
): Promise<void> {
  const response = c.res;
  try {
    if (isStoredStatus(response.status)) {
      const inserted = await pool.query({
        name: "kit-idempotency-insert-answer",
        text: insertAnswerSql,
        values: [held.scope, held.key, held.hash, ...(await storedResponse(response))],
      });
      if (inserted.rowCount === 1) {
        count("reserved");
        return;
      }
    }
    const found = await pool.query<StoredRow>({
      name: "kit-idempotency-find",
      text: findSql,
      values: [held.scope, held.key],
    });
    const existing = found.rows[0];
    if (existing === undefined) {
      count("released");
      return;
    }
    let answer: Response;
    try {
      answer = answerRepeat(existing, held.hash, held.key, count);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      answer = problemResponse(error);
    }
    // Cleared first: Hono would copy the refusal's headers onto the answer that replaces it.
    c.res = undefined;
    c.res = answer;
  } catch (error) {
    count("finalize_error");
    c.var.logger.error(
      { err: error, idempotencyKey: held.key },
      "cannot settle the idempotent answer",
    );
  }
}
