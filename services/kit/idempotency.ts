/**
 * @module Idempotency for unsafe requests carrying an `Idempotency-Key` header. The first
 * request reserves the key (a unique PostgreSQL row scoped by method, route template and
 * actor), runs, and stores status, headers and body; a repeat with the same body gets that
 * response back byte for byte (`idempotent-replayed: true`); the same key with a different
 * body is 409 `idempotency/conflict`. A repeat that arrives while the first is still running
 * does not wait: it gets 409 `idempotency/in-progress` with `Retry-After: 1`, so concurrent
 * repeats produce one effect. Server errors (5xx) and transient refusals (401, 403, 408, 409,
 * 423, 425, 429) release the key so the client can retry with it; other results are kept.
 * A reservation whose holder died is taken over after `leaseMs`. A handler that writes its
 * effect in one transaction can store its answer in that same transaction
 * ({@link storeIdempotentResponse}): the effect and its stored answer then commit together,
 * and the request costs one round trip and one commit less.
 */
import { createHash } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { routeTemplate, unmatchedPath } from "./app";
import type { AppEnv } from "./app-env";
import { onCommit, type Pool, type Tx } from "./db";
import type { ServiceMetrics } from "./metrics";
import { kitProblems, problem } from "./problem";

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
  /** `locked_until` as reserved: fences writes, so a holder whose lease was taken over writes nothing. */
  readonly token: string;
  /** Set once the handler's transaction committed the response with the effect. */
  stored: boolean;
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
    const body = new Uint8Array(await c.req.arrayBuffer());
    const hash = requestHash(c.req.method, template, body);
    const scope = `${c.req.method} ${template} ${actorOf(c)}`;

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
    const held: IdempotencyReservation = { scope, key, token: reservation.token, stored: false };
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
 * Store `response` as the answer to this request's Idempotency-Key inside `tx`, the handler's
 * own transaction, as its last statement before COMMIT: the effect and its replayable answer
 * commit together, and the middleware does not store it again. Without a reservation (no key,
 * or the kit's idempotency off) or for a status that is not kept, it only returns `response`.
 * A reservation taken over by another request (its holder outlived the lease) is refused with
 * 409 `idempotency/in-progress`, which rolls the effect back.
 *
 * @example return withTransaction(pool, async (tx) => { ...effect...; return storeIdempotentResponse(c, tx, c.json(result, 201)); });
 */
export async function storeIdempotentResponse<R extends Response>(
  c: Context<AppEnv>,
  tx: Tx,
  response: R,
): Promise<R> {
  const held = c.get("idempotency");
  if (held === undefined || held.stored || !isStoredStatus(response.status)) return response;
  // Read the body once and answer with the same bytes (no clone of the stream).
  const body = new Uint8Array(await response.arrayBuffer());
  const answer = new Response(body, { status: response.status, headers: response.headers }) as R;
  const stored = await tx.query({
    name: "kit-idempotency-complete",
    text: completeSql,
    values: [held.scope, held.key, held.token, ...storedResponse(answer, body)],
  });
  if (stored.rowCount !== 1) {
    throw inProgress("the reservation of this key was taken over by a newer request");
  }
  onCommit(tx, () => {
    held.stored = true;
  });
  return answer;
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
  const found = await pool.query<StoredRow>(
    `SELECT request_hash, state, response_status, response_headers, response_body,
            locked_until <= now() AS lease_expired
     FROM idempotency_keys WHERE scope = $1 AND key = $2`,
    [scope, key],
  );
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

const releaseSql = `
  DELETE FROM idempotency_keys
   WHERE scope = $1 AND key = $2 AND state = 'in_progress' AND locked_until = $3::timestamptz`;

/** Status, headers (JSON) and body bytes of `response`, as stored for replay. */
function storedResponse(response: Response, body: Uint8Array): [number, string, Buffer] {
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
      values: [
        ...fence,
        ...storedResponse(response, new Uint8Array(await response.clone().arrayBuffer())),
      ],
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
