/** @module RFC 9457 problem+json: the one error shape every breakwater service answers with. */

/**
 * Every problem `type` is an absolute URI under this base followed by a slug such as
 * `withdrawals/halted`; callers pass the slug and the kit adds the base, so the form is the
 * same everywhere.
 */
export const problemTypeBase = "https://breakwater.dev/problems/";

/** Media type of every error body. */
export const problemContentType = "application/problem+json";

/** The body of a problem response; extension members sit beside the standard ones. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly [extension: string]: unknown;
}

/** What a caller gives to build a problem: the slug, a static title, the status. */
export interface ProblemInit {
  /** Slug (`withdrawals/halted`) or an absolute URI, kept as is. */
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  /** Extension members (`control`, `ticket`, `errors`, ...). */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** Extra response headers (`Retry-After`, `Allow`, `WWW-Authenticate`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The absolute `type` URI for a slug; absolute URIs pass through. */
export function problemType(slug: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(slug) ? slug : `${problemTypeBase}${slug}`;
}

/**
 * An error that the kit's error handler turns into a problem+json response. Throw it
 * anywhere on the request path.
 *
 * @example throw problem({ type: "withdrawals/halted", title: "Withdrawals are halted", status: 423 })
 */
export class ProblemError extends Error {
  readonly details: ProblemDetails;
  readonly headers: Readonly<Record<string, string>>;

  constructor(init: ProblemInit) {
    super(init.detail ?? init.title);
    this.name = "ProblemError";
    this.details = toDetails(init);
    this.headers = init.headers ?? {};
  }

  get status(): number {
    return this.details.status;
  }
}

function toDetails(init: ProblemInit): ProblemDetails {
  const details: Record<string, unknown> = {
    type: problemType(init.type),
    title: init.title,
    status: init.status,
  };
  if (init.detail !== undefined) details.detail = init.detail;
  if (init.instance !== undefined) details.instance = init.instance;
  for (const [key, value] of Object.entries(init.extensions ?? {})) {
    if (!(key in details)) details[key] = value;
  }
  return details as ProblemDetails;
}

/** Build a problem to throw or to turn into a response with {@link problemResponse}. */
export function problem(init: ProblemInit): ProblemError {
  return new ProblemError(init);
}

/** A `Response` carrying the problem as `application/problem+json`. */
export function problemResponse(error: ProblemError | ProblemInit): Response {
  const problemError = error instanceof ProblemError ? error : new ProblemError(error);
  return new Response(JSON.stringify(problemError.details), {
    status: problemError.details.status,
    headers: { "content-type": problemContentType, ...problemError.headers },
  });
}

/** The 400 `request/malformed` problem: a request the server cannot read at all. */
export function malformedRequest(detail: string): ProblemError {
  return problem({ type: "request/malformed", title: "Malformed request", status: 400, detail });
}

/** The slugs the kit itself uses; services add their own beside them. */
export const kitProblems = {
  badRequest: "request/malformed",
  tooDeep: "request/too-deep",
  validation: "request/validation",
  notFound: "not-found",
  methodNotAllowed: "method-not-allowed",
  unauthorized: "auth/unauthorized",
  insufficientScope: "auth/insufficient-scope",
  sessionRevoked: "auth/session-revoked",
  forbidden: "auth/forbidden",
  internal: "internal",
  dependencyUnavailable: "dependency/unavailable",
  controlsUnavailable: "controls/unavailable",
  controlNotFound: "controls/not-found",
  controlUnknownKind: "controls/unknown-kind",
  controlPreconditionFailed: "controls/precondition-failed",
  outboxNotParked: "outbox/not-parked",
  idempotencyConflict: "idempotency/conflict",
  idempotencyInProgress: "idempotency/in-progress",
  idempotencyInvalidKey: "idempotency/invalid-key",
} as const;
